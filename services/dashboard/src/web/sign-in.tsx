import { useState } from 'preact/hooks'

/** Sign-in: paste an ops or authority token (the demo prints OFFSIDE_OPS_TOKEN). */
export function SignIn(props: { busy: boolean; problem: string | null; onSubmit(token: string): void }) {
  const [value, setValue] = useState('')
  return (
    <main class="sign-in">
      <h1>Offside · live match dashboard</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          const token = value.trim()
          if (token) props.onSubmit(token)
        }}
      >
        <label for="token">Ops or authority token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          autofocus
        />
        <button type="submit" disabled={props.busy}>
          {props.busy ? 'Checking…' : 'Sign in'}
        </button>
        {props.problem && (
          <p class="error" role="alert">
            {props.problem}
          </p>
        )}
        <p class="muted">
          The token stays in this browser tab only and is sent to this dashboard, never elsewhere.
        </p>
      </form>
    </main>
  )
}
