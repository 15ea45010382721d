// Every Firestore listener of the inbox, exactly the queries firestore.rules allows (docs/inbox.md).
import { useEffect, useMemo, useState } from 'react';
import {
  addDoc, collection, connectFirestoreEmulator, doc, getDoc, initializeFirestore, limit, onSnapshot, orderBy, query,
  serverTimestamp, setDoc, where,
} from 'firebase/firestore';
import { current } from '../config';
import { millis } from './time';

let firestore = null;

function database() {
  if (!firestore) {
    const { app, emulators } = current();
    firestore = initializeFirestore(app, {});
    if (emulators.firestore) connectFirestoreEmulator(firestore, emulators.firestore.host, emulators.firestore.port);
  }
  return firestore;
}

const LIST_LIMIT = 1000;

// One live query → a map by document id (a reconnect replays changes: nothing is shown twice).
function useLive(makeQuery, deps) {
  const [state, setState] = useState({ docs: new Map(), loading: true, error: null, fromCache: false });
  useEffect(() => {
    const q = makeQuery();
    if (!q) {
      setState({ docs: new Map(), loading: false, error: null, fromCache: false });
      return undefined;
    }
    let first = true;
    return onSnapshot(
      q,
      { includeMetadataChanges: true },
      (snap) => {
        // A new subscription's first answer is the whole result: what the previous one held and this one
        // no longer returns (moved to another team, another person) must go.
        const fresh = first;
        first = false;
        // bench/bench_inbox.py sets window.__atendeTrace to see when each document reached the page.
        const trace = window.__atendeTrace;
        if (trace) {
          const at = performance.timeOrigin + performance.now();
          snap.docChanges().forEach((c) => { if (!(c.doc.id in trace)) trace[c.doc.id] = at; });
        }
        setState((prev) => {
          if (fresh) {
            const docs = new Map(snap.docs.map((d) => [d.id, { id: d.id, ...d.data() }]));
            return { docs, loading: false, error: null, fromCache: snap.metadata.fromCache };
          }
          const changes = snap.docChanges();
          if (changes.length === 0) {
            return prev.fromCache === snap.metadata.fromCache && !prev.loading
              ? prev
              : { ...prev, loading: false, fromCache: snap.metadata.fromCache };
          }
          const docs = new Map(prev.docs);
          changes.forEach((c) => {
            if (c.type === 'removed') docs.delete(c.doc.id);
            else docs.set(c.doc.id, { id: c.doc.id, ...c.doc.data() });
          });
          return { docs, loading: false, error: null, fromCache: snap.metadata.fromCache };
        });
      },
      (error) => setState((prev) => ({ ...prev, loading: false, error })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

// My teams' conversations and mine (agents, supervisors), or everything (admins), merged by id.
// `generation` re-subscribes: a conversation moved away from me (another team, another person) is a
// change I may no longer read, which the emulator never sends; a fresh query leaves it out.
export function useConversations(claims, uid, generation = 0) {
  const db = database();
  const admin = claims?.role === 'admin';
  const teams = (claims?.teams || []).slice(0, 30);
  const teamKey = teams.join(',');
  const byTeam = useLive(
    () => (admin
      ? query(collection(db, 'conversations'), orderBy('lastMessageAt', 'desc'), limit(LIST_LIMIT))
      : teams.length
        ? query(collection(db, 'conversations'), where('team', 'in', teams), orderBy('lastMessageAt', 'desc'), limit(LIST_LIMIT))
        : null),
    [admin, teamKey, generation],
  );
  const mine = useLive(
    () => (admin || !uid ? null : query(collection(db, 'conversations'), where('assignee', '==', uid), orderBy('lastMessageAt', 'desc'))),
    [admin, uid, generation],
  );
  return useMemo(() => {
    const all = new Map(byTeam.docs);
    mine.docs.forEach((v, k) => all.set(k, v));
    return {
      conversations: [...all.values()],
      loading: byTeam.loading || mine.loading,
      error: byTeam.error || mine.error,
      fromCache: byTeam.fromCache,
    };
  }, [byTeam, mine]);
}

export function useConversation(id) {
  const db = database();
  const [state, setState] = useState({ conversation: null, error: null });
  useEffect(() => {
    if (!id) return undefined;
    setState({ conversation: null, error: null });
    return onSnapshot(
      doc(db, 'conversations', id),
      (snap) => setState({ conversation: snap.exists() ? { id: snap.id, ...snap.data() } : null, error: null }),
      (error) => setState({ conversation: null, error }),
    );
  }, [db, id]);
  return state;
}

export function sortByTime(messages, key = 'timestamp') {
  return [...messages].sort((a, b) => (millis(a[key]) || 0) - (millis(b[key]) || 0) || a.id.localeCompare(b.id));
}

export function useMessages(conversationId) {
  const db = database();
  const live = useLive(
    () => (conversationId
      ? query(collection(db, 'messages'), where('conversationId', '==', conversationId), orderBy('timestamp'))
      : null),
    [conversationId],
  );
  const messages = useMemo(() => sortByTime([...live.docs.values()]), [live.docs]);
  return { messages, loading: live.loading, error: live.error };
}

function useCollection(name) {
  const db = database();
  const live = useLive(() => collection(db, name), [name]);
  return [...live.docs.values()];
}

// The live board (docs/reports.md): my teams' queues, and the handed-off conversations in service (only
// those carry waitingSince), each a live query the rules allow supervisors and admins.
export function useBoard(teamIds) {
  const db = database();
  const teams = teamIds.slice(0, 30);
  const key = teams.join(',');
  const of = (status) => () => (teams.length
    ? query(collection(db, 'conversations'), where('team', 'in', teams), where('status', '==', status), orderBy('waitingSince'))
    : null);
  const waiting = useLive(of('waiting'), [key]);
  const serving = useLive(of('in_service'), [key]);
  return useMemo(() => ({
    waiting: [...waiting.docs.values()],
    serving: [...serving.docs.values()],
    loading: waiting.loading || serving.loading,
    error: waiting.error || serving.error,
  }), [waiting, serving]);
}

export const useUsers = () => useCollection('users');
export const useTeams = () => useCollection('teams');
export const useCannedResponses = () => useCollection('canned_responses');
export const useTemplates = () => useCollection('templates');

// Internal chat: the team's room; messages are the only documents the browser writes.
export function useChat(chatId) {
  const db = database();
  const live = useLive(
    () => (chatId ? query(collection(db, 'chats', chatId, 'messages'), orderBy('at'), limit(200)) : null),
    [chatId],
  );
  const messages = useMemo(() => sortByTime([...live.docs.values()], 'at'), [live.docs]);
  return { messages, error: live.error };
}

// Created once, by the first member who opens it; an existing chat is never rewritten (the rules allow
// only lastMessage/lastMessageAt to change).
async function ensureChat(chatId, body) {
  const ref = doc(database(), 'chats', chatId);
  if ((await getDoc(ref)).exists()) return;
  try {
    await setDoc(ref, body);
  } catch (error) {
    if (!(await getDoc(ref)).exists()) throw error; // else a colleague created it a moment before
  }
}

export function ensureTeamChat(teamId) {
  return ensureChat(`team_${teamId}`, { type: 'team', teamId, members: [] });
}

export function directChatId(a, b) {
  return `dm_${[a, b].sort().join('_')}`;
}

export function ensureDirectChat(me, other) {
  return ensureChat(directChatId(me, other), { type: 'direct', members: [me, other].sort() });
}

export function postChatMessage(chatId, author, text) {
  const db = database();
  return addDoc(collection(db, 'chats', chatId, 'messages'), {
    authorId: author.uid,
    authorName: author.name || author.email || author.uid,
    text,
    at: serverTimestamp(),
  });
}
