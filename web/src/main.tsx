// main.tsx - entry point: styles, then the app, then ask the server who we are.
import { render } from 'preact';
import { App, boot } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
void boot();
