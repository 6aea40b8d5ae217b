// @ts-check
/**
 * A tiny store: one state object, replaced (never mutated) by a reducer on each dispatch; listeners
 * run after each change.
 * @template S, A
 * @param {S} initial
 * @param {(state: S, action: A) => S} reducer
 */
export function createStore(initial, reducer) {
  let state = initial;
  /** @type {Set<(state: S, prev: S) => void>} */
  const listeners = new Set();
  return {
    getState: () => state,
    /** @param {A} action */
    dispatch(action) {
      const prev = state;
      state = reducer(state, action);
      if (state !== prev) for (const fn of listeners) fn(state, prev);
    },
    /** @param {(state: S, prev: S) => void} fn @returns {() => void} unsubscribe */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
