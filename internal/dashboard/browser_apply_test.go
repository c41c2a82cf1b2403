package dashboard_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/apnet/apnet/internal/testenv"
)

// typeInto types text into a control from the keyboard.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		return chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(text))
	})
}

// A provider applies through the public page, signed out, at tablet width and
// from the keyboard; the QA officer then finds the application in the queue,
// with its setting type in words and its courses by qualification title.
func TestApplyInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	page := tab(t, browser, 768, 1024)

	run(t, page, 30*time.Second, "the sign-in page links to the application page",
		chromedp.Navigate(wd.proxy.URL()+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.Focus(chromedp.CSS(`a[href="/apply"]`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`form.apply-form`)))
	if h := get(t, page, "heading", chromedp.Text(chromedp.CSS(`main h1`))); h != "Apply to join the approved list" {
		t.Fatalf("heading %q", h)
	}
	if n := get(t, page, "maxlength", chromedp.AttributeValue(chromedp.CSS(`#ap-organisationName`), "maxlength")); n.Value != "200" {
		t.Errorf("organisation name maxlength %q, want the server's 200", n.Value)
	}

	t.Run("the browser checks the form in words", func(t *testing.T) {
		run(t, page, 30*time.Second, "submit with a bad UKPRN and nothing else",
			typeInto(`#ap-ukprn`, "2001234"),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=apply-problems]`)))
		summary := get(t, page, "summary", chromedp.Text(chromedp.CSS(`[data-testid=apply-problems]`)))
		for _, want := range []string{"Enter the name of your organisation.", "A UKPRN is 8 digits starting with 1", "Enter an email address", "Enter a UK postcode", "qualification number of course 1"} {
			if !strings.Contains(summary, want) && !(want == "Enter a UK postcode" && strings.Contains(summary, "postcode of your premises")) {
				t.Errorf("summary %q lacks %q", summary, want)
			}
		}
		if v := get(t, page, "aria-invalid", chromedp.AttributeValue(chromedp.CSS(`#ap-ukprn`), "aria-invalid")); v.Value != "true" {
			t.Errorf("the UKPRN is not marked invalid")
		}
		if id := get(t, page, "focus", chromedp.Evaluate[string](`document.activeElement.dataset.testid || ''`)); id != "apply-problems" {
			t.Errorf("focus is on %q, not the summary", id)
		}
		wd.screenshot(t, page, "30-apply-problems")
	})

	run(t, page, 30*time.Second, "fill in the application",
		fill(`#ap-ukprn`, ""),
		typeInto(`#ap-organisationName`, "Riverside Motor Skills CIC"),
		typeInto(`#ap-ukprn`, "10034567"),
		typeInto(`#ap-settingType`, "Work"),
		typeInto(`#ap-contactName`, "Jo Patel"),
		// Passes the browser's check; the server's address parser refuses it.
		typeInto(`#ap-email`, "<jo@riverside.example>"),
		typeInto(`#ap-address`, "Unit 4, Riverside Way, Nottingham"),
		typeInto(`#ap-postcode`, "ng2 1aa"),
		typeInto(`#ap-description`, "Motor vehicle maintenance in a working garage."),
		typeInto(`#ap-courses-0-qualificationNumber`, "60324760"),
		typeInto(`#ap-courses-0-places`, "8"),
		typeInto(`#ap-courses-0-deliveryPostcode`, "NG2 1AA"),
		typeInto(`#ap-courses-0-sessions-0-weekday`, "Tue"),
		typeInto(`#ap-courses-0-sessions-0-start`, "09:00"),
		typeInto(`#ap-courses-0-sessions-0-end`, "12:00"),
		// A second course, added from the keyboard; its qualification is not in the catalogue.
		chromedp.Focus(chromedp.CSS(`#ap-add-course`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#ap-courses-1-qualificationNumber`)),
	)
	// Focus moves on the frame after the new course renders.
	f := ""
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if f = get(t, page, "focus after adding", chromedp.Evaluate[string](`document.activeElement.id`)); f == "ap-courses-1-qualificationNumber" {
			break
		}
	}
	if f != "ap-courses-1-qualificationNumber" {
		t.Errorf("focus after adding a course is on %q", f)
	}
	if v := get(t, page, "setting type", chromedp.Value(chromedp.CSS(`#ap-settingType`))); v != "WBP" {
		t.Errorf("setting type chosen from the keyboard is %q", v)
	}
	run(t, page, 30*time.Second, "the second course",
		chromedp.KeyEvent("600/0000/1"),
		typeInto(`#ap-courses-1-places`, "4"),
		typeInto(`#ap-courses-1-deliveryPostcode`, "NG2 1AA"),
		typeInto(`#ap-courses-1-sessions-0-weekday`, "Thu"),
		typeInto(`#ap-courses-1-sessions-0-start`, "13:00"),
		typeInto(`#ap-courses-1-sessions-0-end`, "15:30"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#ap-email-error`)))
	if msg := get(t, page, "server's email error", chromedp.Text(chromedp.CSS(`#ap-email-error`))); !strings.Contains(msg, "is not an email address") {
		t.Errorf("the email's error says %q", msg)
	}
	if v := get(t, page, "email invalid", chromedp.AttributeValue(chromedp.CSS(`#ap-email`), "aria-invalid")); v.Value != "true" {
		t.Errorf("the server's refusal is not marked on the email input")
	}

	// The server refuses a qualification the catalogue lacks, at its input.
	run(t, page, 30*time.Second, "correct the email and send",
		fill(`#ap-email`, ""),
		typeInto(`#ap-email`, "jo@riverside.example"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#ap-courses-1-qualificationNumber-error`)))
	if msg := get(t, page, "server's catalogue error", chromedp.Text(chromedp.CSS(`#ap-courses-1-qualificationNumber-error`))); !strings.Contains(msg, "not in the partnership's qualification catalogue") {
		t.Errorf("the second course's error says %q", msg)
	}
	run(t, page, 30*time.Second, "offer a catalogue qualification instead and send",
		fill(`#ap-courses-1-qualificationNumber`, ""),
		typeInto(`#ap-courses-1-qualificationNumber`, "603/2476/0"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=apply-success]`)))
	done := get(t, page, "success", chromedp.Text(chromedp.CSS(`[data-testid=apply-success]`)))
	ref := get(t, page, "reference", chromedp.Text(chromedp.CSS(`[data-testid=apply-reference]`)))
	if !strings.Contains(done, "Thank you — the partnership will be in touch") || ref == "" {
		t.Errorf("success says %q, reference %q", done, ref)
	}
	wd.screenshot(t, page, "31-apply-sent")

	wd.signInAs(t, page, "qa@test.example")
	run(t, page, 30*time.Second, "the applications queue",
		chromedp.Navigate(wd.proxy.URL()+"/applications"),
		chromedp.WaitVisible(chromedp.CSS(`li[data-application-id="`+ref+`"] [data-testid=offered-course] strong`)))
	// The titles come from a second query: wait for them.
	run(t, page, 30*time.Second, "qualification titles", chromedp.Poll[chromedp.Void](`document.querySelector('li[data-application-id="`+ref+`"]').textContent.includes('Hairdressing')`))
	item := get(t, page, "application", chromedp.Text(chromedp.CSS(`li[data-application-id="`+ref+`"]`)))
	for _, want := range []string{"Riverside Motor Skills CIC", "Work-based placement", "Test Level 1 Certificate in Hairdressing (603/2476/0", "4 places at NG2 1AA; Thursday 13:00–15:30", "8 places at NG2 1AA; Tuesday 09:00–12:00", "Jo Patel"} {
		if !strings.Contains(item, want) {
			t.Errorf("the queue's entry %q lacks %q", item, want)
		}
	}
	if strings.Contains(item, "WBP") {
		t.Errorf("the setting type shows as its code: %q", item)
	}
	wd.screenshot(t, page, "32-applications-queue")

	// Rejected from the keyboard: the result says so and takes the focus,
	// since the buttons go with the reload.
	li := `li[data-application-id="` + ref + `"]`
	run(t, page, 30*time.Second, "reject the application",
		chromedp.Focus(chromedp.CSS(li+` button[aria-expanded]`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(li+` textarea`)),
		chromedp.Focus(chromedp.CSS(li+` textarea`)),
		chromedp.KeyEvent("We are not taking new motor vehicle providers this year."),
		chromedp.Focus(chromedp.CSS(li+` form button[type=submit]`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.Poll[chromedp.Void](`document.activeElement.matches('p.result') && document.activeElement.textContent.includes('is rejected')`))
	if msg := get(t, page, "result", chromedp.Text(chromedp.CSS(`p.result`))); msg != "The application from Riverside Motor Skills CIC is rejected." {
		t.Errorf("after rejecting: %q", msg)
	}
}
