/** The seed's SMS web app, done better: inbox, verdicts by architecture I or II, compose, feedback. */
export { InboxPane } from './InboxPane';
export { InboxPane as default } from './InboxPane';
