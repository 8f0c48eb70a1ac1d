/** Fixed response bodies of the fake upstreams. */

/** About 200 bytes as JSON, shaped like one page of chat history. */
export const HISTORY_BODY = {
  messages: [
    {
      id: '1',
      conversation_id: '2f1c3a52-5d0e-4f7e-9a43-0c6a1c9f5b11',
      role: 'assistant',
      content: 'It is alive!',
      created_at: '2024-01-01T00:00:00.000Z',
    },
  ],
  next_cursor: null,
  meta: { request_id: 'upstream' },
};

export const PROFILE_BODY = {
  user: {
    id: '7d5e2a48-2b7c-4c1e-9a53-5f0b3f6d2c11',
    username: 'bench_user',
    email: 'bench@example.com',
    created_at: '2024-01-01T00:00:00.000Z',
  },
  meta: { request_id: 'upstream' },
};

export const AVATAR_BODY = {
  avatar: {
    id: '0b8e1f3a-6c2d-4e5f-8a9b-1c2d3e4f5a6b',
    style: 'classic',
    seed: 'bench',
    url: '/api/chat/avatars/0b8e1f3a-6c2d-4e5f-8a9b-1c2d3e4f5a6b.svg',
    content_type: 'image/svg+xml',
    created_at: '2024-01-01T00:00:00.000Z',
  },
  meta: { request_id: 'upstream' },
};
