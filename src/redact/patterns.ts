/**
 * The built-in detectors, most specific first. Vendor formats and PEM blocks report their own
 * kind; HTTP credentials, URL credentials and named assignments are the generic fallbacks and
 * lose to a vendor format on the same span (see `priority`).
 */
import { assignmentDetector } from './assignmentDetector';
import { Detector } from './detector';
import { httpAuthDetectors } from './httpAuthDetectors';
import { pemDetector } from './pemDetector';
import { tokenDetectors } from './tokenDetectors';
import { urlDetector } from './urlDetector';

export const builtInDetectors: readonly Detector[] = [
  pemDetector,
  ...tokenDetectors,
  ...httpAuthDetectors,
  urlDetector,
  assignmentDetector,
];

/** Every kind a built-in detector can report, for documentation and tests. */
export const builtInKinds: readonly string[] = [...new Set(builtInDetectors.flatMap((d) => d.kinds))].sort();
