// Pages of a console_api listing (`items`, `next` cursor), reloaded when the filters change.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../data/api';

export function usePaged(path, filters) {
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(filters);

  const load = useCallback(async (cursor) => {
    setBusy(true);
    try {
      const page = await api('console', path, { query: { ...filters, cursor } });
      setItems((prev) => (cursor ? [...prev, ...page.items] : page.items));
      setNext(page.next);
      setProblem(null);
    } catch (e) {
      setProblem(e.message);
    } finally {
      setBusy(false);
    }
  }, [path, key]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => { load(null); }, [load]);
  return { items, problem, busy, more: next ? () => load(next) : null };
}
