export function MissingApi() {
  return (
    <div className="splash" role="alert">
      <h1>snitchmap cannot reach its data</h1>
      <p>
        This page needs the snitchmap desktop app or <code>snitchmap serve</code>: neither provided the
        connection interface (<code>window.snitchmap</code>). Open the address that <code>snitchmap serve</code>
        printed, including its token, or start the desktop app.
      </p>
    </div>
  );
}
