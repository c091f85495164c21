// A render error in one panel must not leave a blank window: say what broke and offer a reload.

import { Component, type ReactNode } from 'react';

interface State {
  message: string | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { message: null };

  static getDerivedStateFromError(error: unknown): State {
    return { message: error instanceof Error ? error.message : String(error) };
  }

  override render() {
    if (this.state.message === null) return this.props.children;
    return (
      <div className="splash" role="alert">
        <h1>The snitchmap window hit an error</h1>
        <p>{this.state.message}</p>
        <button type="button" onClick={() => window.location.reload()}>Reload</button>
      </div>
    );
  }
}
