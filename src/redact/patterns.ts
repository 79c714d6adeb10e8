/**
 * The built-in detectors, most specific first. Vendor formats and PEM blocks report their own
 * kind; HTTP credentials, URL credentials and named assignments are the generic fallbacks and
 * lose to a vendor format on the same span (see `priority`).
 */
import { assignmentDetector, commandPasswordDetector, pairDetector } from './assignmentDetector';
import { Detector } from './detector';
import { httpAuthDetectors } from './httpAuthDetectors';
import { base64PemDetector, pemDetector } from './pemDetector';
import { tokenDetectors } from './tokenDetectors';
import { urlDetector } from './urlDetector';

export const builtInDetectors: readonly Detector[] = [
  pemDetector,
  base64PemDetector,
  ...tokenDetectors,
  ...httpAuthDetectors,
  urlDetector,
  assignmentDetector,
  commandPasswordDetector,
  pairDetector,
];

/** Every kind a built-in detector can report, for documentation and tests. */
export const builtInKinds: readonly string[] = [...new Set(builtInDetectors.flatMap((d) => d.kinds))].sort();
