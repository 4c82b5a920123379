/** Open the inbox of a seed user or of anyone. */
import { useState } from 'react';
import { useInbox } from '../../store/inbox';
import { Card, Icon } from '../../ui';

const SUGGESTED = ['fiona', 'max'];

export function SignIn() {
  const signIn = useInbox((s) => s.signIn);
  const [name, setName] = useState('');
  const open = (n: string) => {
    if (n.trim()) void signIn(n.trim());
  };
  return (
    <div className="signin">
      <Card title="Sign in" subtitle="Open the inbox of a user of the seed story, or of anyone: messages sent to a new name land in a new inbox.">
        <form
          className="signin-form"
          onSubmit={(e) => {
            e.preventDefault();
            open(name);
          }}
        >
          <label className="field">
            <span>User name</span>
            <input
              aria-label="user name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              pattern={'[^\\/\\s]+'}
              maxLength={100}
              title="A user name: no spaces or slashes"
              placeholder="fiona, max, or any name"
              autoComplete="username"
            />
          </label>
          <button type="submit" className="primary" disabled={!name.trim()}>
            Open inbox
          </button>
        </form>
        <div className="suggest">
          <span className="muted">Seed users:</span>
          {SUGGESTED.map((u) => (
            <button key={u} type="button" className="chip" onClick={() => open(u)}>
              <Icon name="user" size={13} /> {u}
            </button>
          ))}
        </div>
      </Card>
    </div>
  );
}
