package dashboard_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/apnet/apnet/internal/testenv"
)

// fill sets a form control's value as typing would, firing input and change.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(e => { if (!e) return false; e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true })(document.querySelector(%q))`, value, sel)))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no element %s", sel)
		}
		return nil
	})
}

func TestSignInAndNotFoundInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	page := tab(t, browser, 1280, 900)

	t.Run("a wrong password says so, once", func(t *testing.T) {
		run(t, page, 30*time.Second, "wrong password",
			chromedp.Navigate(wd.proxy.URL()+"/"),
			chromedp.WaitVisible(chromedp.CSS(`#email`)),
			chromedp.Focus(chromedp.CSS(`#email`)),
			chromedp.KeyEvent("school@test.example"),
			chromedp.KeyEvent(kb.Tab),
			chromedp.KeyEvent("not-the-password"),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`#signin-error`)))
		text := get(t, page, "error", chromedp.Text(chromedp.CSS(`main`)))
		if !strings.Contains(text, "Incorrect email or password.") || strings.Contains(text, "session") {
			t.Errorf("sign-in page says %q", text)
		}
	})

	wd.signInAs(t, page, "school@test.example")
	t.Run("an id of another type is not a learner, and navigation still works", func(t *testing.T) {
		for _, id := range []string{fmt.Sprint(wd.w.Placements[0].ID), "abc", "999999999"} {
			run(t, page, 30*time.Second, "open /learners/"+id,
				chromedp.Navigate(wd.proxy.URL()+"/learners/"+id),
				chromedp.WaitVisible(chromedp.CSS(`nav[aria-label=Main]`)),
				chromedp.WaitVisible(chromedp.CSS(`main h1`)))
			// Not "Loading…" forever.
			deadline := time.Now().Add(10 * time.Second)
			var h1 string
			for {
				h1 = get(t, page, "heading", chromedp.Text(chromedp.CSS(`main h1`)))
				if h1 == "Learner not found" || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if h1 != "Learner not found" {
				t.Errorf("/learners/%s heading %q", id, h1)
			}
		}
		run(t, page, 30*time.Second, "navigate on",
			chromedp.Click(chromedp.CSS(`nav a[href="/directory"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form.search`)))
	})

	t.Run("another role's page says it is not available", func(t *testing.T) {
		run(t, page, 30*time.Second, "open /audit",
			chromedp.Navigate(wd.proxy.URL()+"/audit"),
			chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if h := get(t, page, "heading", chromedp.Text(chromedp.CSS(`main h1`))); h != "This page is not available to your account" {
			t.Errorf("/audit heading %q", h)
		}
	})

	t.Run("an impossible date is refused", func(t *testing.T) {
		run(t, page, 30*time.Second, "open /today?date=2026-13-45",
			chromedp.Navigate(wd.proxy.URL()+"/today?date=2026-13-45"),
			chromedp.WaitVisible(chromedp.CSS(`main .error`)))
		if h := get(t, page, "heading", chromedp.Text(chromedp.CSS(`main h1`))); h != "Today's placements" {
			t.Errorf("heading %q", h)
		}
	})

	t.Run("the directory checks postcode and miles in words", func(t *testing.T) {
		for _, c := range []struct{ postcode, miles, want string }{
			{"NG7", "", "full postcode"},
			{"NG7 2QQ", "0", "more than 0 miles"},
			{"NG7 2QQ", "1e300", "at most 200 miles"},
			{"", "5", "Enter a postcode"},
		} {
			run(t, page, 30*time.Second, "search "+c.postcode+"/"+c.miles,
				chromedp.Navigate(wd.proxy.URL()+"/directory"),
				chromedp.WaitVisible(chromedp.CSS(`form.search`)),
				fill(`#s-pc`, c.postcode),
				fill(`#s-miles`, c.miles),
				chromedp.Click(chromedp.CSS(`form.search button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`form.search .error`)))
			msg := get(t, page, "message", chromedp.Text(chromedp.CSS(`form.search .error`)))
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "withinMiles") {
				t.Errorf("postcode %q miles %q: %q", c.postcode, c.miles, msg)
			}
		}
	})
}

func TestProgressUpdateInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	page := tab(t, browser, 1280, 900)
	wd.signInAs(t, page, "provider@test.example")
	p := wd.w.Placements[0]
	form := `form[data-form=progress]`
	run(t, page, 30*time.Second, "open the form",
		chromedp.Navigate(wd.proxy.URL()+"/progress"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`button[data-post="%d"]`, p.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-post="%d"]`, p.ID))),
		chromedp.WaitVisible(chromedp.CSS(form)),
		// A page reload would lose this.
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true`),
		fill(form+` input[type=date]`, wd.monday),
		fill(form+` textarea[id$=academic-n]`, "Settling in well."),
		fill(form+` textarea[id$=personal-n]`, "Punctual all week."),
		chromedp.Focus(chromedp.CSS(form+` textarea[id$=personal-n]`)),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-posted="%d"]:not(:empty)`, p.ID))))
	msg := get(t, page, "confirmation", chromedp.Text(chromedp.CSS(fmt.Sprintf(`[data-posted="%d"]`, p.ID))))
	if !strings.Contains(msg, "Progress update posted for "+wd.w.Learners[0].FirstName) {
		t.Errorf("confirmation %q", msg)
	}
	if !get(t, page, "no reload", chromedp.Evaluate[bool](`window.stillHere === true`)) {
		t.Error("posting reloaded the page")
	}
	if focus := get(t, page, "focus", chromedp.Evaluate[string](`document.activeElement.dataset.posted ?? document.activeElement.tagName`)); focus != fmt.Sprint(p.ID) {
		t.Errorf("focus on %q after posting, want the confirmation", focus)
	}

	// An error stays on the page, next to the form. The list reloads after
	// a post and grows by the new update, moving the button: wait for it.
	run(t, page, 30*time.Second, "the posted update listed",
		chromedp.Poll[chromedp.Void](`document.querySelector('main').textContent.includes('(posted ')`))
	run(t, page, 30*time.Second, "post a bad period",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-post="%d"]`, p.ID))),
		chromedp.WaitVisible(chromedp.CSS(form)),
		fill(form+` input[type=date]`, "2099-01-01"),
		fill(form+` textarea[id$=academic-n]`, "x"),
		fill(form+` textarea[id$=personal-n]`, "y"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(form+` .error`)))
	if !get(t, page, "no reload", chromedp.Evaluate[bool](`window.stillHere === true`)) {
		t.Error("a failed post reloaded the page")
	}
}

func TestRegisterChecksAndAlertTextInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	p := wd.w.Placements[0]
	name := wd.w.Learners[0].FirstName + " " + wd.w.Learners[0].LastName

	t.Run("changing a saved mark without a reason names the learner and sends nothing", func(t *testing.T) {
		wd.record(t, p.ID, wd.wednesday, "PM", map[string]any{"status": "PRESENT"})
		prov := tab(t, browser, 1280, 900)
		wd.signInAs(t, prov, "provider@test.example")
		row := fmt.Sprintf(`tr[data-row="%d"]`, p.ID)
		run(t, prov, 30*time.Second, "mark absent, save with Ctrl+Enter on the button",
			chromedp.Navigate(wd.proxy.URL()+"/register?date="+wd.wednesday),
			// The saved mark, not just the row: a key pressed before it
			// arrives would be overwritten by it.
			chromedp.WaitVisible(chromedp.CSS(row+` td[data-saved]:not([data-saved=""])`)),
			// The register first focuses its first unmarked learner (another
			// row here) on a later frame: let it, then take this row.
			chromedp.Poll[chromedp.Void](`!!document.activeElement.closest('tr[data-row]')`),
			chromedp.Focus(chromedp.CSS(row+` input[value=ABSENT]`)),
			chromedp.KeyEvent("a"),
			// The change shown and the button enabled, not a fixed pause.
			chromedp.WaitVisible(chromedp.CSS(row+`.row-ABSENT`)),
			chromedp.Poll[chromedp.Void](`!document.querySelector('form.register .actions button').disabled`),
			chromedp.Focus(chromedp.CSS(`form.register .actions button`)),
			chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.WaitVisible(chromedp.CSS(row+`.row-error .row-message`)))
		msg := get(t, prov, "row message", chromedp.Text(chromedp.CSS(row+` .row-message`)))
		if !strings.Contains(msg, name) || !strings.Contains(msg, "why") || strings.Contains(msg, "amendmentReason") {
			t.Errorf("row message %q", msg)
		}
		// The field takes the focus on the next animation frame.
		focus := ""
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if focus = get(t, prov, "focus", chromedp.Evaluate[string](`document.activeElement.className`)); focus == "amend-reason" {
				break
			}
		}
		if focus != "amend-reason" {
			t.Errorf("focus on %q, want the reason field", focus)
		}
		run(t, prov, 30*time.Second, "give a reason and save",
			chromedp.KeyEvent("Left early: unwell"),
			chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.WaitVisible(chromedp.CSS(`form.register .result:not(:empty)`)),
			chromedp.WaitVisible(chromedp.CSS(row+` td[data-saved=N]`)))
		if focus := get(t, prov, "focus after saving", chromedp.Evaluate[string](`document.activeElement.className`)); focus != "result" {
			t.Errorf("focus on %q after saving, want the result", focus)
		}
		label := get(t, prov, "save button", chromedp.Text(chromedp.CSS(`form.register .actions button`)))
		if disabled := get(t, prov, "disabled", chromedp.Evaluate[bool](`document.querySelector('form.register .actions button').disabled`)); !disabled || strings.Contains(label, "Save register (") {
			t.Errorf("after saving, button %q disabled=%v", label, disabled)
		}
	})

	t.Run("an alert describes the mark that raised it, and its amendment", func(t *testing.T) {
		school := tab(t, browser, 1280, 900)
		wd.signInAs(t, school, "school@test.example")
		waitLive(t, school, 20*time.Second)
		wd.record(t, p.ID, wd.monday, "AM", map[string]any{"status": "LATE", "minutesLate": 45})
		wd.record(t, p.ID, wd.monday, "AM", map[string]any{"status": "LATE", "minutesLate": 12, "amendmentReason": "typo"})
		run(t, school, 30*time.Second, "reload alerts",
			chromedp.Navigate(wd.proxy.URL()+"/"),
			chromedp.WaitVisible(chromedp.CSS(`li.alert-item.unread .kind-UNAUTHORISED_ABSENCE`)))
		text := get(t, school, "alert", chromedp.Text(chromedp.CSS(`li.alert-item.unread:has(.kind-UNAUTHORISED_ABSENCE)`)))
		if !strings.Contains(text, "45 min late (after register closed) [U]") || !strings.Contains(text, "mark since amended to 12 min late") || strings.Contains(text, "Absent") {
			t.Errorf("alert %q", text)
		}
		run(t, school, 30*time.Second, "acknowledge with Enter",
			chromedp.Focus(chromedp.CSS(`li.alert-item.unread button`)),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`li.alert-item.acked`)),
			chromedp.Sleep(200*time.Millisecond))
		if focus := get(t, school, "focus", chromedp.Evaluate[string](`document.activeElement.tagName`)); focus == "BODY" {
			t.Error("focus lost to the page after acknowledging")
		}
		acked := get(t, school, "acked", chromedp.Text(chromedp.CSS(`li.alert-item.acked`)))
		if !strings.Contains(acked, "acknowledged by you") {
			t.Errorf("acknowledged alert %q", acked)
		}
	})
}

// A future date in the register is refused in the page, in the server's
// words, and the date field offers nothing after today.
func TestRegisterFutureDateInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	prov := tab(t, browser, 1280, 900)
	wd.signInAs(t, prov, "provider@test.example")
	// "Today" is the UK date whatever the browser's time zone: put the
	// browser in a zone whose date differs from the UK's at this hour.
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(london)
	zone := "Pacific/Kiritimati" // UTC+14: tomorrow from 10:00 UK time
	if now.Hour() < 10 {
		zone = "Pacific/Pago_Pago" // UTC−11: yesterday until 11:00 UK time
	}
	today, next := now.Format(time.DateOnly), now.AddDate(0, 0, 7).Format(time.DateOnly)
	run(t, prov, 30*time.Second, "open a future register in another time zone",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
			return err
		}),
		chromedp.Navigate(wd.proxy.URL()+"/register?date="+next),
		chromedp.WaitVisible(chromedp.CSS(`#reg-date-error`)))
	if max := get(t, prov, "max", chromedp.AttributeValue(chromedp.CSS(`#reg-date`), "max")).Value; max != today {
		t.Errorf("date field max %q, want %q", max, today)
	}
	if msg := get(t, prov, "error", chromedp.Text(chromedp.CSS(`#reg-date-error`))); !strings.Contains(msg, "is in the future; marks record what happened") {
		t.Errorf("error %q", msg)
	}
	if n := get(t, prov, "forms", chromedp.Evaluate[int](`document.querySelectorAll('form.register').length`)); n != 0 {
		t.Errorf("%d registers offered for a future date", n)
	}
}
