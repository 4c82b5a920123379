/** The help's command groups, in the order `spamops --help` shows them. */
export const GROUPS = {
  data: 'Data and feature store',
  inbox: 'Inboxes',
  training: 'Training and models',
  monitoring: 'Monitoring',
  serving: 'Serving',
} as const;

export const GROUP_ORDER: readonly string[] = Object.values(GROUPS);
