import { useInbox } from '../../store/inbox';
import { SignIn } from './SignIn';
import { SignedIn } from './SignedIn';

export function InboxPane() {
  const user = useInbox((s) => s.user);
  return user ? <SignedIn user={user} /> : <SignIn />;
}
