import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startAddressSync } from './shell/address';
import './styles.css';

// the selection named by the address (reload, a shared link) before the first render
startAddressSync();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
