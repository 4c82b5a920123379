/** The sidebar's collapse button: icons only when collapsed (narrow windows), remembered across starts. */
import { create } from 'zustand';
import { readSetting, writeSetting } from '../store/persist';

const KEY = 'spamops.sidebar';

const useSidebar = create<{ collapsed: boolean; toggle(): void }>((set, get) => ({
  collapsed: readSetting(KEY) === 'collapsed',
  toggle: () => {
    const collapsed = !get().collapsed;
    writeSetting(KEY, collapsed ? 'collapsed' : undefined);
    set({ collapsed });
  },
}));

// on the root element, so the shell's layout (in styles.css) follows without the shell knowing
const mark = (collapsed: boolean) => {
  if (collapsed) document.documentElement.dataset.sidebar = 'collapsed';
  else delete document.documentElement.dataset.sidebar;
};
mark(useSidebar.getState().collapsed);
useSidebar.subscribe((s) => mark(s.collapsed));

export function SidebarToggle() {
  const collapsed = useSidebar((s) => s.collapsed);
  const toggle = useSidebar((s) => s.toggle);
  return (
    <button
      type="button"
      className="nav sidebar-toggle"
      aria-expanded={!collapsed}
      aria-label={collapsed ? 'expand the sidebar' : 'collapse the sidebar'}
      title={collapsed ? 'Expand the sidebar' : 'Collapse the sidebar'}
      onClick={toggle}
    >
      <span className="toggle-mark" aria-hidden="true">
        {collapsed ? '»' : '«'}
      </span>
      <span>Collapse</span>
    </button>
  );
}
