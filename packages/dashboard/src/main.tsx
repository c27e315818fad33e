/** Entry point: mounts the app with URL routing (every view has a deep link). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { TetherProvider } from './api/context';
import { Layout } from './App';
import { SessionsView } from './views/SessionsView';
import { SessionView } from './views/session/SessionView';
import { AnalyticsView } from './views/AnalyticsView';
import { SettingsView } from './views/SettingsView';
import { MemoryView } from './views/MemoryView';
import { NotFound } from './views/NotFound';
import './styles.css';

const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <SessionsView /> },
      { path: 'sessions', element: <SessionsView /> },
      { path: 'sessions/:sessionId', element: <SessionView /> },
      { path: 'sessions/:sessionId/:tab', element: <SessionView /> },
      { path: 'analytics', element: <AnalyticsView /> },
      { path: 'settings', element: <SettingsView /> },
      { path: 'memory', element: <MemoryView /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TetherProvider>
      <RouterProvider router={router} />
    </TetherProvider>
  </StrictMode>,
);
