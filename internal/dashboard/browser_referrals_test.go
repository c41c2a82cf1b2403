package dashboard_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/apnet/apnet/internal/testenv"
)

// The referral queue offers each action only where the server allows it, and
// after each one says what happened, with the keyboard at that message.
func TestReferralQueueInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	ctx := context.Background()
	school := signIn(t, wd.api, "school@test.example")
	var ids []string
	for _, l := range wd.w.Learners[:2] {
		var out struct {
			CreateReferral struct{ ID string }
		}
		if err := school.MustData(ctx, `mutation($l: ID!, $f: ReferralFormInput!) { createReferral(learnerID: $l, form: $f) { id } }`, map[string]any{"l": l.ID, "f": map[string]any{
			"education":  map[string]any{"currentEnglish": "3", "currentMaths": "2"},
			"attendance": map[string]any{"thisYearPercent": 72.5, "sessionsMissed": 40},
			"send":       map[string]any{"provision": "EHCP", "primaryNeed": "SEMH"},
			"reason":     "needs a practical route", "qualificationsRequired": "Level 1 construction",
			"preference": map[string]any{"vocationalArea": "Construction", "daysPerWeek": 2},
		}}, &out); err != nil {
			t.Fatal(err)
		}
		if err := school.MustData(ctx, `mutation($id: ID!) { submitReferral(id: $id) { id } }`, map[string]any{"id": out.CreateReferral.ID}, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.CreateReferral.ID)
	}
	item := func(id string) string { return fmt.Sprintf(`li[data-referral="%s"]`, id) }
	buttons := func(t *testing.T, page context.Context, id string) string {
		t.Helper()
		return get(t, page, "buttons", chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll('%s .actions button')].map(b => b.textContent.trim()).join('|')`, item(id))))
	}
	// The confirmation is in a live region and has the keyboard.
	confirmed := func(t *testing.T, page context.Context, want string) {
		t.Helper()
		run(t, page, 30*time.Second, "confirmation "+want,
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const p = document.querySelector('p.result[role=status]'); return p && p.textContent.includes(%q) && document.activeElement === p })()`, want)))
	}
	page := tab(t, browser, 1280, 900)
	wd.signInAs(t, page, "qa@test.example")
	run(t, page, 30*time.Second, "queue", chromedp.WaitVisible(chromedp.CSS(item(ids[1]))))
	for _, id := range ids {
		if b := buttons(t, page, id); b != "Check|Return to school…" {
			t.Errorf("a submitted referral offers %q", b)
		}
	}

	t.Run("check, then forward", func(t *testing.T) {
		run(t, page, 30*time.Second, "check from the keyboard",
			chromedp.Focus(chromedp.CSS(item(ids[0])+` .actions button`)),
			chromedp.KeyEvent(kb.Enter))
		confirmed(t, page, "Checked the referral for Test Learner.")
		run(t, page, 30*time.Second, "reloaded", chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('%s .tag').textContent === 'Checked'`, item(ids[0]))))
		// A checked referral is forwarded, not returned (the server returns only submitted ones).
		if b := buttons(t, page, ids[0]); b != "Forward to a provider…" {
			t.Errorf("a checked referral offers %q", b)
		}
		run(t, page, 30*time.Second, "forward",
			chromedp.Click(chromedp.CSS(item(ids[0])+` .actions button`)),
			chromedp.WaitVisible(chromedp.CSS(`#fwd-`+ids[0])),
			fill(`#fwd-`+ids[0], fmt.Sprint(wd.w.Course.ID)),
			chromedp.Focus(chromedp.CSS(item(ids[0])+` form button[type=submit]`)),
			chromedp.KeyEvent(kb.Enter))
		confirmed(t, page, "Forwarded the referral for Test Learner to Test Provider.")
		run(t, page, 30*time.Second, "gone from the queue", chromedp.WaitNotPresent(chromedp.CSS(item(ids[0]))))
	})

	t.Run("return", func(t *testing.T) {
		run(t, page, 30*time.Second, "return",
			chromedp.Click(chromedp.CSS(item(ids[1])+` .actions button.secondary`)),
			chromedp.WaitVisible(chromedp.CSS(`#ret-`+ids[1])),
			chromedp.Focus(chromedp.CSS(`#ret-`+ids[1])),
			chromedp.KeyEvent("add last year's attendance"),
			chromedp.Focus(chromedp.CSS(item(ids[1])+` form button[type=submit]`)),
			chromedp.KeyEvent(kb.Enter))
		confirmed(t, page, "Returned the referral for Test Learner to Test Academy A.")
		run(t, page, 30*time.Second, "gone from the queue", chromedp.WaitNotPresent(chromedp.CSS(item(ids[1]))))
		if text := get(t, page, "page", chromedp.Text(chromedp.CSS(`main`))); strings.Contains(text, "only a referral") {
			t.Errorf("page shows a refusal: %q", text)
		}
	})
}
