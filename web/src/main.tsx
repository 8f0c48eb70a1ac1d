import { render } from 'preact';
import { ApiClient } from './api/api-client.ts';
import { LabApi } from './api/lab-api.ts';
import { TokenStore, type KeyValueStorage } from './api/token-store.ts';
import { App } from './app.tsx';
import './styles.css';

function browserStorage(): KeyValueStorage | null {
  try {
    return window.localStorage;
  } catch {
    // Reading localStorage throws when the browser blocks site data.
    return null;
  }
}

const api = new LabApi(new ApiClient({ tokens: new TokenStore(document, browserStorage()) }));
const root = document.getElementById('app');
if (root) render(<App api={api} />, root);
