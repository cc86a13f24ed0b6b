import { nextTick } from 'vue'
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { session } from './lib/session'
import { allowed, home, type Screen } from './lib/menu'
import { loadMe } from './lib/me'

// Each screen is its own chunk, loaded when opened.
const routes: RouteRecordRaw[] = [
  { path: '/signin', component: () => import('./views/SignIn.vue'), meta: { public: true } },
  { path: '/', component: () => import('./views/NotFound.vue'), meta: { home: true } },
  { path: '/work', component: () => import('./views/MyWork.vue'), meta: { screen: 'work' } },
  { path: '/members', component: () => import('./views/Members.vue'), meta: { screen: 'members' } },
  { path: '/members/:id', component: () => import('./views/MemberPage.vue'), meta: { screen: 'members' } },
  { path: '/handbooks', component: () => import('./views/Handbooks.vue'), meta: { screen: 'handbooks' } },
  { path: '/ledgers', component: () => import('./views/Ledgers.vue'), meta: { screen: 'ledgers' } },
  { path: '/floating', component: () => import('./views/Floating.vue'), meta: { screen: 'floating' } },
  { path: '/floating/:id', component: () => import('./views/FloatingPage.vue'), meta: { screen: 'floating' } },
  { path: '/service-requests', component: () => import('./views/ServiceRequests.vue'), meta: { screen: 'service-requests' } },
  { path: '/service-requests/:id', component: () => import('./views/ServiceRequestPage.vue'), meta: { screen: 'service-requests' } },
  { path: '/activities', component: () => import('./views/Activities.vue'), meta: { screen: 'activities' } },
  { path: '/activities/:id', component: () => import('./views/ActivityPage.vue'), meta: { screen: 'activities' } },
  { path: '/registrations', component: () => import('./views/Registrations.vue'), meta: { screen: 'registrations' } },
  { path: '/registrations/:id', component: () => import('./views/RegistrationPage.vue'), meta: { screen: 'registrations' } },
  { path: '/letters', component: () => import('./views/LetterBatches.vue'), meta: { screen: 'letters' } },
  { path: '/letters/:id', component: () => import('./views/LetterBatchPage.vue'), meta: { screen: 'letters' } },
  { path: '/evaluations', component: () => import('./views/Evaluations.vue'), meta: { screen: 'evaluations' } },
  { path: '/evaluations/rubrics', component: () => import('./views/Rubrics.vue'), meta: { screen: 'evaluations' } },
  { path: '/evaluations/:id/:year', component: () => import('./views/EvaluationPage.vue'), meta: { screen: 'evaluations' } },
  { path: '/vanguard', component: () => import('./views/Vanguard.vue'), meta: { screen: 'vanguard' } },
  { path: '/training', component: () => import('./views/Training.vue'), meta: { screen: 'training' } },
  { path: '/market-standards', component: () => import('./views/Markets.vue'), meta: { screen: 'market-standards' } },
  { path: '/market-standards/:id/:year', component: () => import('./views/MarketPage.vue'), meta: { screen: 'market-standards' } },
  { path: '/coverage', component: () => import('./views/Coverage.vue'), meta: { screen: 'coverage' } },
  { path: '/coverage/:id', component: () => import('./views/CoveragePage.vue'), meta: { screen: 'coverage' } },
  { path: '/records', component: () => import('./views/Records.vue'), meta: { screen: 'records' } },
  { path: '/feedback', component: () => import('./views/Feedback.vue'), meta: { screen: 'feedback' } },
  { path: '/feedback/:id', component: () => import('./views/FeedbackPage.vue'), meta: { screen: 'feedback' } },
  { path: '/filings', component: () => import('./views/Filings.vue'), meta: { screen: 'filings' } },
  { path: '/filings/:id', component: () => import('./views/FilingPage.vue'), meta: { screen: 'filings' } },
  { path: '/exports', component: () => import('./views/Exports.vue'), meta: { screen: 'exports' } },
  { path: '/qq', component: () => import('./views/Qq.vue'), meta: { screen: 'qq' } },
  { path: '/import', component: () => import('./views/Import.vue'), meta: { screen: 'import' } },
  { path: '/privacy', component: () => import('./views/Privacy.vue'), meta: { screen: 'privacy' } },
  { path: '/deadlines', component: () => import('./views/Deadlines.vue'), meta: { screen: 'deadlines' } },
  { path: '/statistics', component: () => import('./views/Statistics.vue'), meta: { screen: 'statistics' } },
  { path: '/statistics/:period', component: () => import('./views/StatisticsPage.vue'), meta: { screen: 'statistics' } },
  { path: '/inbox', component: () => import('./views/Inbox.vue'), meta: { screen: 'inbox' } },
  { path: '/notifications', component: () => import('./views/Notifications.vue'), meta: { screen: 'notifications' } },
  { path: '/province', component: () => import('./views/Province.vue'), meta: { screen: 'province' } },
  { path: '/province-statistics', component: () => import('./views/ProvinceStatistics.vue'), meta: { screen: 'province-statistics' } },
  { path: '/:rest(.*)*', component: () => import('./views/NotFound.vue') },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.token.value) return { path: '/signin', query: { next: to.fullPath } }
  if (!session.me.value) {
    const ok = await loadMe()
    if (!ok) return { path: '/signin', query: { next: to.fullPath } }
  }
  const me = session.me.value!
  if (me.must_change_password || me.totp_enrolment_required) return { path: '/signin', query: { next: to.fullPath } }
  // `/` is each role's first screen, known once /me is read.
  if (to.meta.home) return { path: home(me.role), replace: true }
  const screen = to.meta.screen as Screen | undefined
  if (screen && !allowed(me.role, screen)) return { path: '/forbidden' }
  return true
})

// After moving to another screen, focus goes to the page's main region (as a full page load
// would put it at the top), so keyboard and screen-reader users start at the new content.
router.afterEach((to, from) => {
  if (from.matched.length && to.path !== from.path) void nextTick(() => document.getElementById('main')?.focus())
})
