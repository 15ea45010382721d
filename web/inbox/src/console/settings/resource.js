// Load a console_api resource, save changes to it, and say what happened (pt-BR messages from the server).
import { useCallback, useEffect, useState } from 'react';
import { notifications } from '@mantine/notifications';
import { api } from '../../data/api';

export function useResource(path) {
  const [data, setData] = useState(null);
  const [problem, setProblem] = useState(null);
  const reload = useCallback(() => api('console', path).then((d) => { setData(d); setProblem(null); }).catch((e) => setProblem(e.message)), [path]);
  useEffect(() => { reload(); }, [reload]);
  return { data, setData, problem, reload };
}

// Resolves to the answer, or null after showing the refusal; `saved` is the confirmation shown.
export async function save(path, method, body, saved) {
  try {
    const answer = await api('console', path, { method, body });
    if (saved) notifications.show({ color: 'teal', message: saved });
    return answer;
  } catch (e) {
    notifications.show({ color: 'red', title: e.status === 422 ? 'Recusado' : 'Erro', message: e.message, autoClose: 8000 });
    return null;
  }
}
