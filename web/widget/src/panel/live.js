// The widget's only reads, exactly what firestore.rules grants a visitor (docs/webchat.md): its own
// conversation document and that conversation's public messages, live. Reconnecting after sleep or
// offline is the SDK's job: the listener resumes from where it was, nothing missed, nothing twice.
import { collection, doc, limitToLast, onSnapshot, orderBy, query, where } from 'firebase/firestore';

export function millis(value) {
  if (!value) return 0;
  if (typeof value.toMillis === 'function') return value.toMillis();
  if (value instanceof Date) return value.getTime();
  return Number(value) || 0;
}

export function watchConversation(db, conversationId, { conversation, messages, error }) {
  const stops = [
    onSnapshot(
      doc(db, 'conversations', conversationId),
      (snap) => conversation(snap.exists() ? snap.data() : null),
      error,
    ),
    onSnapshot(
      query(
        collection(db, 'messages'),
        where('conversationId', '==', conversationId),
        where('visibility', '==', 'public'),
        orderBy('createdAt', 'asc'),
        limitToLast(100),
      ),
      (snap) => messages(snap.docs.map((d) => ({ id: d.id, ...d.data() }))),
      error,
    ),
  ];
  return () => stops.forEach((stop) => stop());
}

/** The choices of a bot reply (buttons, list rows, quick replies), as WhatsApp's are stored. */
export function choices(content) {
  if (!content) return [];
  if (Array.isArray(content.quick_replies) && content.quick_replies.length) {
    return content.quick_replies.map((q) => ({ id: String(q.payload || q.title), title: String(q.title || '') }));
  }
  if (content.type === 'list') {
    return (content.sections || []).flatMap((section) => section.rows || []).map((row) => ({ ...row, id: String(row.id) }));
  }
  return (content.buttons || []).map((b) => ({ ...b, id: String(b.id) }));
}
