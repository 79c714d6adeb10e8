import manifest from '../package.json';

/** The version users see in `--version`, in `session.start.producerVersion` and in logs. */
export const PRODUCT_VERSION: string = manifest.version;
