// The most characters each kind of text field may hold. These mirror the
// server's limits (textLimits in internal/server/textlimits.go, and
// search.MaxFilterText in internal/search); change them together.

/** A person's name: attendee, action owner (ident.PersonName). */
export const PERSON_NAME = 100;
/** An email address (RFC 5321's longest). */
export const EMAIL = 254;
/** Titles, names of organisations, topics, locations, short answers. */
export const SHORT = 200;
/** A postcode. */
export const POSTCODE = 16;
/** A telephone number. */
export const PHONE = 50;
/** A website address. */
export const URL = 500;
/** A postal address. */
export const ADDRESS = 500;
/** UKPRN, URN, UPN, times of day. */
export const REFERENCE = 20;
/** Qualification numbers, acronyms, versions, grades. */
export const CODE = 50;
/** Reasons: returning a referral, rejecting an application, a QA decision. */
export const REASON = 2000;
/** A progress update's narratives. */
export const FORM_LONG = 4000;
/** Descriptions, evidence, summaries. */
export const LONG = 5000;
/** An evaluation visit's written report. */
export const REPORT = 20000;
/** Why a mark already taken is changed (attendance's maxReason). */
export const AMENDMENT_REASON = 500;
/** A password, as typed (password.MaxBytes). */
export const PASSWORD = 1024;
/** Each text filter of the provider directory's search (search.MaxFilterText). */
export const SEARCH_TEXT = 200;
