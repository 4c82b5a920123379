/**
 * The console's panes, in the sidebar's order: the one list of them. A new pane is one folder
 * (its index.ts exports the pane as default) plus one line here; the shell derives the navigation,
 * the title and the hash routes (#/<id>) from this list. Each pane loads when first shown.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { IconName } from '../ui';

export interface PaneDef {
  /** its hash route, #/<id> */
  id: string;
  label: string;
  icon: IconName;
  blurb: string;
  component: LazyExoticComponent<ComponentType>;
}

export const PANES: readonly PaneDef[] = [
  { id: 'inbox', label: 'Inbox', icon: 'inbox', blurb: "A user's messages with the served models' verdicts", component: lazy(() => import('./inbox')) },
  { id: 'data', label: 'Data', icon: 'layers', blurb: 'Bring labelled messages in and train on them', component: lazy(() => import('./data')) },
  {
    id: 'features',
    label: 'Feature store',
    icon: 'database',
    blurb: 'Registry, online store and offline sources',
    component: lazy(() => import('./features')),
  },
  {
    id: 'training',
    label: 'Training',
    icon: 'training',
    blurb: 'Train versions, watch them learn, compare and promote',
    component: lazy(() => import('./training')),
  },
  { id: 'serving', label: 'Serving', icon: 'serving', blurb: 'What the API serves, how fast, and from cache', component: lazy(() => import('./serving')) },
  { id: 'drift', label: 'Drift', icon: 'drift', blurb: "Live traffic against each model's training reference", component: lazy(() => import('./drift')) },
];
