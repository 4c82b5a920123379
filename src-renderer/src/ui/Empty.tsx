/** An empty state that says what to do next. */
import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export function Empty({
  icon = 'info',
  title,
  children,
  action,
  tone,
}: {
  icon?: IconName;
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  tone?: 'feature';
}) {
  return (
    <div className={`empty ${tone ?? ''}`}>
      <div className="empty-icon" aria-hidden="true">
        <Icon name={icon} size={20} />
      </div>
      <div className="empty-title">{title}</div>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}
