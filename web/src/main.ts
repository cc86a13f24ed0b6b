import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { reportError } from './lib/errors'
import './styles.css'

const app = createApp(App)
app.use(i18n)
app.use(router)
// An error nobody caught shows as a message, never as a blank page.
app.config.errorHandler = (err) => reportError(err)
window.addEventListener('unhandledrejection', (e) => reportError(e.reason))
document.documentElement.lang = (i18n.global.locale as any).value
app.mount('#app')
