import { render } from 'preact'
import { App } from './app.js'
import { adoptTokenFromUrl } from './session.js'
import './styles.css'

adoptTokenFromUrl()
const root = document.getElementById('root')
if (root) {
  root.textContent = ''
  render(<App />, root)
}
