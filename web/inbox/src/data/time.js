// A Firestore time as epoch milliseconds. Kept apart from firestore.js, which loads the SDK, so that pure
// modules (the live board's rules) import it without Firebase and run under plain node in the tests.
export function millis(value) {
  if (!value) return null;
  if (typeof value === 'number') return value;
  if (typeof value.toMillis === 'function') return value.toMillis();
  return null;
}
