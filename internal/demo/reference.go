package demo

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/level"
	"github.com/apnet/apnet/internal/timetable"
)

// ReferenceData is the fixed part of the demo: real public facts (postcode
// locations, schools, awarding bodies, qualifications) and the fictional
// providers with their courses. Learners, placements and attendance are
// generated from it by Seed.
type ReferenceData struct {
	Postcodes      []Postcode
	Schools        []School
	AwardingBodies []AwardingBody
	Qualifications []Qualification
	Providers      []Provider
}

// Postcode is a Code-Point Open location (British National Grid metres).
type Postcode struct {
	Postcode          string
	Easting, Northing int
}

// School is a real Nottingham City secondary school.
type School struct {
	URN, Name, Address, Postcode, Phone string
	// Establishment is the 4-digit establishment number put in the demo
	// learners' UPNs (after LA code 892). The shared data has no DfE
	// LAESTAB, so these are illustrative, not the schools' real numbers.
	Establishment string
	// GirlsOnly: the school admits girls only, so its learners get girls' names.
	GirlsOnly bool
}

// AwardingBody is an Ofqual-recognised awarding organisation.
type AwardingBody struct {
	RecognitionNumber, Name, Acronym string
}

// Qualification is a real qualification on the DfE list of qualifications
// approved for 14–16 funding.
type Qualification struct {
	Number            string // slashed form, e.g. 603/7006/3
	Title             string
	AwardingBody      string // recognition number
	Level             level.Level
	DfELevel          string // as the DfE list gives it, e.g. "Level 1/2"
	Type              string
	SectorSubjectArea string
	// GuidedLearningHours: 120 for the Tech/First Awards and 9 for
	// Highfield's food safety award are the published figures; the rest
	// are typical for the qualification's size, not looked up.
	GuidedLearningHours int
}

// Provider is a fictional alternative-provision provider.
type Provider struct {
	Name        string
	Description string // a full paragraph about its provision
	ContactName string
	Email       string
	Phone       string
	Website     string
	Address     string
	Postcode    string
	Status      provider.ApprovalStatus
	// ApprovedMonths places approved_until relative to the seed date: that
	// many months ahead (or ago, if negative); 0 means no date.
	ApprovedMonths int
	Courses        []Course
}

// Course is one of a provider's courses.
type Course struct {
	Qualification    string // number, slashed form
	DeliveryPostcode string
	Sessions         []timetable.Session
	Places           int
	// JanuaryIntake: besides September, the course also starts in January.
	JanuaryIntake bool
}

// Reference returns the data Seed writes before it generates learners: a
// fresh copy each call, with qualification numbers in the stored (slashed)
// form and levels mapped onto the schema's enum.
func Reference() ReferenceData {
	ref := ReferenceData{
		Postcodes:      slices.Clone(postcodes),
		Schools:        slices.Clone(schools),
		AwardingBodies: slices.Clone(awardingBodies),
	}
	for _, q := range qualifications {
		q.Number = mustQualificationNumber(q.Number)
		lvl, err := levelOf(q.DfELevel, q.Title)
		if err != nil {
			panic(err) // a typo in the literals below; the tests catch it
		}
		q.Level = lvl
		ref.Qualifications = append(ref.Qualifications, q)
	}
	for _, p := range providers {
		p.Courses = slices.Clone(p.Courses)
		for i := range p.Courses {
			c := &p.Courses[i]
			c.Qualification = mustQualificationNumber(c.Qualification)
			c.Sessions = slices.Clone(c.Sessions)
			if c.DeliveryPostcode == "" {
				c.DeliveryPostcode = p.Postcode
			}
		}
		ref.Providers = append(ref.Providers, p)
	}
	return ref
}

func mustQualificationNumber(s string) string {
	n, err := ident.NormalizeQualificationNumber(s)
	if err != nil {
		panic(fmt.Sprintf("demo: qualification number %q: %v", s, err))
	}
	return n
}

var entrySubLevel = regexp.MustCompile(`\(Entry ([123])\)|Entry Level ([123])\b`)

// levelOf maps the DfE list's level onto the schema's enum. The DfE list
// says only "Entry Level"; the sub-level is in the title, e.g. "(Entry 3)".
// A Level 1/2 qualification is graded at both levels, and schools looking
// for a Level 2 outcome expect to find it, so it is stored as LEVEL_2.
func levelOf(dfeLevel, title string) (level.Level, error) {
	switch dfeLevel {
	case "Entry Level":
		m := entrySubLevel.FindStringSubmatch(title)
		if m == nil {
			return "", fmt.Errorf("demo: no entry sub-level in %q", title)
		}
		return level.Level("ENTRY_" + m[1] + m[2]), nil
	case "Level 1":
		return level.Level1, nil
	case "Level 1/2", "Level 2":
		return level.Level2, nil
	case "Level 3":
		return level.Level3, nil
	}
	return "", fmt.Errorf("demo: unknown level %q", dfeLevel)
}

// postcodes: OS Code-Point Open (Aug 2014) eastings/northings; all are in
// admin district E06000018 (Nottingham). Contains OS data © Crown copyright
// and database right 2014; Royal Mail data © Royal Mail copyright and
// database right 2014.
var postcodes = []Postcode{
	// schools
	{"NG7 6ND", 456252, 341389},
	{"NG8 4HY", 451443, 341082},
	{"NG8 2FT", 451958, 339915},
	{"NG8 3LD", 453811, 341023},
	{"NG8 5GY", 454301, 341590},
	{"NG8 3EZ", 453459, 341333},
	{"NG8 3GP", 453014, 341306},
	{"NG7 2PL", 455160, 338539},
	{"NG5 9AZ", 455453, 346074},
	{"NG8 1EA", 454144, 339812},
	{"NG6 0HT", 454679, 342826},
	{"NG3 5LR", 458301, 342403},
	// providers
	{"NG7 5LB", 455443, 341272},
	{"NG6 8BL", 454320, 346426},
	{"NG1 1PY", 457643, 339697},
	{"NG11 8QH", 454473, 333802},
	{"NG3 2GY", 458242, 340287},
	{"NG2 4HE", 458775, 339734},
	{"NG6 8QY", 454189, 343942},
	{"NG5 4DS", 457824, 343085},
	{"NG7 5GW", 455430, 341623},
	{"NG8 5GQ", 454759, 341813},
	{"NG2 3HS", 457999, 338539},
	{"NG5 5RN", 457444, 345863},
	{"NG7 4ED", 456562, 340918},
	{"NG6 8FQ", 453979, 345378},
	{"NG2 4ER", 458926, 339461},
	{"NG8 3NA", 454073, 341460},
	{"NG3 5GY", 458038, 342184},
	{"NG1 2GR", 457404, 339798},
	{"NG7 2JZ", 454982, 340050},
	{"NG1 1EX", 457759, 340023},
	{"NG5 5HZ", 456155, 344103},
	{"NG3 2NR", 458843, 340479},
	{"NG1 4AF", 457274, 340144},
	{"NG11 8PX", 454637, 334709},
	{"NG11 8EB", 454885, 334831},
	{"NG8 3BL", 453539, 341256},
	// other delivery sites
	{"NG11 8BJ", 455420, 334428},
	{"NG2 1AA", 457092, 339290},
	{"NG6 0GJ", 454194, 343363},
	{"NG11 7AX", 456753, 336771},
}

// schools: Nottingham City secondaries (Nottingham East, North and South
// constituencies), names, URNs, addresses and phone numbers as GIAS gives
// them (via the kosmos extract in shared/data); every postcode is in the
// Nottingham admin district in Code-Point. Of the thirteen city secondaries
// there, Nottingham Free School is left out to make twelve (The Kimberley
// School is in those constituencies but in Broxtowe, not the city).
var schools = []School{
	{URN: "134253", Name: "Djanogly City Academy", Address: "Gregory Boulevard, Nottingham Road, Nottingham", Postcode: "NG7 6ND", Phone: "0115 942 1300", Establishment: "4001"},
	{URN: "135761", Name: "Nottingham University Samworth Academy", Address: "Bramhall Road, Bilborough, Nottingham", Postcode: "NG8 4HY", Phone: "0115 929 1492", Establishment: "4002"},
	{URN: "136724", Name: "Fernwood School", Address: "Goodwood Road, Wollaton, Nottingham", Postcode: "NG8 2FT", Phone: "0115 928 6326", Establishment: "4003"},
	{URN: "137184", Name: "Nottingham Girls' Academy", Address: "Robin's Wood Road, Nottingham", Postcode: "NG8 3LD", Phone: "0115 748 3410", Establishment: "4004", GirlsOnly: true},
	{URN: "137798", Name: "Bluecoat Aspley Academy", Address: "Aspley Lane, Aspley, Nottingham", Postcode: "NG8 5GY", Phone: "0115 929 7445", Establishment: "4005"},
	{URN: "138341", Name: "The Trinity Catholic School A Voluntary Academy", Address: "Beechdale Road, Aspley, Nottingham", Postcode: "NG8 3EZ", Phone: "0115 929 6251", Establishment: "4006"},
	{URN: "140369", Name: "Bluecoat Beechdale Academy", Address: "Harvey Road, Bilborough, Nottingham", Postcode: "NG8 3GP", Phone: "0115 913 5211", Establishment: "4007"},
	{URN: "140984", Name: "Nottingham University Academy of Science and Technology", Address: "93 Abbey Street, Dunkirk, Nottingham", Postcode: "NG7 2PL", Phone: "0115 859 2040", Establishment: "4008"},
	{URN: "144487", Name: "Park Vale Academy", Address: "Top Valley Drive, Top Valley, Nottingham", Postcode: "NG5 9AZ", Phone: "0115 822 1244", Establishment: "4009"},
	{URN: "145146", Name: "Bluecoat Wollaton Academy", Address: "Sutton Passeys Crescent, Wollaton Park, Nottingham", Postcode: "NG8 1EA", Phone: "0115 900 7210", Establishment: "4010"},
	{URN: "146539", Name: "Ellis Guilford School", Address: "Bar Lane, Basford, Nottingham", Postcode: "NG6 0HT", Phone: "0115 913 1338", Establishment: "4011"},
	{URN: "147456", Name: "The Wells Academy", Address: "Ransom Drive, Nottingham", Postcode: "NG3 5LR", Phone: "0115 748 3390", Establishment: "4012"},
}

// awardingBodies: names and acronyms as Ofqual's organisations export gives them.
var awardingBodies = []AwardingBody{
	{"RN5156", "NCFE", "NCFE"},
	{"RN5217", "City and Guilds of London Institute", "City & Guilds"},
	{"RN5133", "Pearson Education Ltd", "Pearson"},
	{"RN5198", "VTCT", "VTCT"},
	{"RN5361", "The Institute of the Motor Industry", "IMI"},
	{"RN5219", "Highfield Qualifications", "Highfield"},
	{"RN5328", "Gateway Qualifications Limited", "Gateway Qualifications"},
	{"RN5200", "Ascentis", "Ascentis"},
	{"RN5194", "NOCN", "NOCN"},
}

// qualifications: rows of the DfE list of qualifications approved for
// funding (Ofqual snapshot 18/02/2025, 14–16 funding available), with the
// number as listed (unslashed), title (runs of spaces collapsed), awarding
// body, level, type and sector subject area.
var qualifications = []Qualification{
	// engineering
	{"60008799", "City & Guilds Level 1 Certificate in Engineering", "RN5217", "", "Level 1", "Vocationally-Related Qualification", "Engineering", 120},
	{"60364865", "Gateway Qualifications Level 1 Award in Engineering", "RN5328", "", "Level 1", "Vocationally-Related Qualification", "Engineering", 60},
	{"60370063", "NCFE Level 1/2 Technical Award in Engineering", "RN5156", "", "Level 1/2", "Other General Qualification", "Engineering", 120},
	// construction
	{"60102834", "City & Guilds Entry Level Certificate In Construction Skills (Entry 3)", "RN5217", "", "Entry Level", "Vocationally-Related Qualification", "Building and construction", 120},
	{"60103309", "City & Guilds Level 1 Certificate In Construction Skills", "RN5217", "", "Level 1", "Vocationally-Related Qualification", "Building and construction", 180},
	{"60357642", "NOCN Level 1 Award in Construction Multiskills", "RN5194", "", "Level 1", "Vocationally-Related Qualification", "Building and construction", 60},
	{"60356947", "NOCN Entry Level Award in Introduction to Bricklaying (Entry 3)", "RN5194", "", "Entry Level", "Vocationally-Related Qualification", "Building and construction", 40},
	{"50040339", "Ascentis Level 1 Certificate in Skills for Employment in the Construction Industries", "RN5200", "", "Level 1", "Vocationally-Related Qualification", "Building and construction", 120},
	{"60068176", "Pearson BTEC Level 1/Level 2 First Award in Construction and the Built Environment", "RN5133", "", "Level 1/2", "Vocationally-Related Qualification", "Building and construction", 120},
	// sport
	{"60365146", "Gateway Qualifications Level 1 Award in Sport, Fitness and Active Leisure", "RN5328", "", "Level 1", "Vocationally-Related Qualification", "Sport, leisure and recreation", 60},
	{"60126231", "NCFE Level 1 Certificate in Sport", "RN5156", "", "Level 1", "Vocationally-Related Qualification", "Sport, leisure and recreation", 120},
	{"60370683", "Pearson BTEC Level 1/Level 2 Tech Award in Sport", "RN5133", "", "Level 1/2", "Other Vocational Qualification", "Sport, leisure and recreation", 120},
	// media
	{"60350106", "Pearson BTEC Level 1 Introductory Award in Digital Media", "RN5133", "", "Level 1", "Vocationally-Related Qualification", "Media and communication", 90},
	{"60370531", "Pearson BTEC Level 1/Level 2 Tech Award in Creative Media Production", "RN5133", "", "Level 1/2", "Other Vocational Qualification", "Media and communication", 120},
	{"60133909", "NCFE Level 1 Award in Photography", "RN5156", "", "Level 1", "Vocationally-Related Qualification", "Media and communication", 60},
	// music technology
	{"50111334", "NCFE Level 1 Award in Music Technology", "RN5156", "", "Level 1", "Vocationally-Related Qualification", "Performing arts", 60},
	{"60370087", "NCFE Level 1/2 Technical Award in Music Technology", "RN5156", "", "Level 1/2", "Other General Qualification", "Performing arts", 120},
	// hairdressing and beauty
	{"60011804", "VTCT Skills Level 1 Diploma in Hairdressing", "RN5198", "", "Level 1", "Vocationally-Related Qualification", "Service enterprises", 200},
	{"50075275", "VTCT Skills Level 1 NVQ Certificate in Hairdressing and Barbering", "RN5198", "", "Level 1", "Occupational Qualification", "Service enterprises", 150},
	{"60027526", "City & Guilds Level 1 Certificate in Hairdressing and Beauty Therapy", "RN5217", "", "Level 1", "Vocationally-Related Qualification", "Service enterprises", 120},
	{"60364816", "Gateway Qualifications Level 1 Award in Hair and Beauty Therapy", "RN5328", "", "Level 1", "Vocationally-Related Qualification", "Service enterprises", 60},
	{"60157781", "VTCT Skills Entry Level Award in Hair and Beauty Skills (Entry 3) (VRQ)", "RN5198", "", "Entry Level", "Vocationally-Related Qualification", "Service enterprises", 40},
	{"50093071", "VTCT Skills Level 2 Certificate in Hairdressing Services", "RN5198", "", "Level 2", "Vocationally-Related Qualification", "Service enterprises", 150},
	// catering and hospitality
	{"60109890", "City & Guilds Level 1 Award In Introduction to Culinary Skills", "RN5217", "", "Level 1", "Vocationally-Related Qualification", "Hospitality and catering", 60},
	{"60365031", "Gateway Qualifications Entry Level Award in Hospitality and Catering (Entry 3)", "RN5328", "", "Entry Level", "Vocationally-Related Qualification", "Hospitality and catering", 40},
	{"60339093", "NCFE Level 1 Certificate in Food and Cookery Skills", "RN5156", "", "Level 1", "Other General Qualification", "Hospitality and catering", 120},
	{"60349372", "Highfield Level 2 Award in Food Safety for Catering (RQF)", "RN5219", "", "Level 2", "Vocationally-Related Qualification", "Hospitality and catering", 9},
	{"60370142", "NCFE Level 1/2 Technical Award in Food and Cookery", "RN5156", "", "Level 1/2", "Other General Qualification", "Hospitality and catering", 120},
	// motor vehicle
	{"50122228", "City & Guilds Level 1 Award in Vehicle Systems Maintenance", "RN5217", "", "Level 1", "Vocationally-Related Qualification", "Transportation operations and maintenance", 60},
	{"60330880", "IMI Level 1 Certificate in Carrying out Periodic Vehicle Maintenance and Inspection", "RN5361", "", "Level 1", "Vocationally-Related Qualification", "Transportation operations and maintenance", 120},
	{"60330892", "IMI Level 2 Certificate in Automotive Maintenance", "RN5361", "", "Level 2", "Vocationally-Related Qualification", "Transportation operations and maintenance", 150},
	{"60365092", "Gateway Qualifications Level 1 Award in Motor Vehicle Services", "RN5328", "", "Level 1", "Vocationally-Related Qualification", "Transportation operations and maintenance", 60},
	// animal care
	{"50066432", "City & Guilds Level 1 Award in Work-Based Animal Care", "RN5217", "", "Level 1", "Occupational Qualification", "Animal care and veterinary science", 60},
	{"60145304", "Pearson BTEC Level 1/Level 2 First Award in Animal Care", "RN5133", "", "Level 1/2", "Vocationally-Related Qualification", "Animal care and veterinary science", 120},
}

func sess(d timetable.Weekday, start, end string) timetable.Session {
	return timetable.Session{Weekday: d, Start: start, End: end}
}

// Common weekly patterns: one morning and one afternoon a week.
var (
	tueAMthuPM = []timetable.Session{sess(timetable.Tuesday, "09:00", "12:00"), sess(timetable.Thursday, "13:00", "15:30")}
	monAMwedPM = []timetable.Session{sess(timetable.Monday, "09:30", "12:00"), sess(timetable.Wednesday, "13:00", "15:30")}
	wedAMfriAM = []timetable.Session{sess(timetable.Wednesday, "09:00", "12:00"), sess(timetable.Friday, "09:00", "12:00")}
	monPMthuAM = []timetable.Session{sess(timetable.Monday, "13:00", "15:30"), sess(timetable.Thursday, "09:15", "12:15")}
	tuePMfriAM = []timetable.Session{sess(timetable.Tuesday, "12:30", "15:30"), sess(timetable.Friday, "09:30", "12:00")}
)

// providers are fictional: names, people, example.org addresses and
// 0115 496 0xxx numbers (Ofcom's range for drama) are invented; the
// postcodes are real Nottingham units so that distance search works.
var providers = []Provider{
	// hairdressing and beauty
	{
		Name: "Willowbrook Hair & Beauty Training CIC",
		Description: "Willowbrook is a community interest company running a working training salon with ten styling stations, a barbering bay and a quiet room. " +
			"Learners work towards VTCT hairdressing qualifications in small groups of no more than eight, taught by qualified stylists who also hold teaching qualifications. " +
			"Sessions start with a short team briefing and end with clients from the local community, so learners practise consultation, shampooing, blow-drying and basic colouring on real people. " +
			"English and maths are built into every session through client records, stock checks and pricing. " +
			"Our designated safeguarding lead is on site whenever learners are, and we work closely with school SENCOs to adapt tasks for learners with SEN support or an EHC plan. " +
			"Many of our learners progress to Level 2 hairdressing at college or to salon apprenticeships.",
		ContactName: "Dionne Fairclough", Email: "placements@willowbrook-hair.example.org", Phone: "0115 496 0101",
		Website: "https://willowbrook-hair.example.org", Address: "Unit 2, Willowbrook Yard, Nottingham", Postcode: "NG7 5LB",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 7,
		Courses: []Course{
			{Qualification: "60011804", Sessions: tueAMthuPM, Places: 12, JanuaryIntake: true},
			{Qualification: "60157781", Sessions: monAMwedPM[:1], Places: 8},
		},
	},
	{
		Name: "Kestrel Barbering Academy",
		Description: "Kestrel Barbering Academy trains young people in men's hairdressing and barbering in a busy high-street-style barbershop set up purely for training. " +
			"Learners follow the VTCT Level 1 NVQ in Hairdressing and Barbering, starting with hygiene, tools and client care and moving on to clipper work, fades and finishing. " +
			"Groups are capped at ten, with a tutor and a learning mentor in every session, and each learner has a weekly one-to-one review of progress and behaviour. " +
			"We keep a calm, structured routine that suits learners who have found school difficult, and we agree individual targets with the home school at the start of each term. " +
			"Attendance and punctuality are recorded live and any absence is reported to the school the same morning.",
		ContactName: "Kwame Ashdown", Email: "hello@kestrel-barbering.example.org", Phone: "0115 496 0102",
		Website: "https://kestrel-barbering.example.org", Address: "14 Kestrel Parade, Nottingham", Postcode: "NG6 8BL",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 3,
		Courses: []Course{
			{Qualification: "50075275", Sessions: wedAMfriAM, Places: 10, JanuaryIntake: true},
		},
	},
	{
		Name: "Lacegate Hair & Beauty School",
		Description: "Lacegate is a city-centre hair and beauty school in a converted lace warehouse, with a twelve-chair salon, a beauty therapy suite and a small nail bar. " +
			"Key stage 4 learners take the City & Guilds Level 1 Certificate in Hairdressing and Beauty Therapy, and those ready for more stretch can move on to the VTCT Level 2 Certificate in Hairdressing Services. " +
			"Teaching is practical and carefully sequenced, with demonstrations, guided practice and short written tasks that build the vocabulary learners need for assessment. " +
			"We have a trained mental health first aider and a quiet space for learners who need time out, and our staff have all completed enhanced DBS checks and annual safeguarding training. " +
			"Learners leave with a portfolio of photographed work to take to college interviews.",
		ContactName: "Harriet Quenby", Email: "schools@lacegate-hair.example.org", Phone: "0115 496 0103",
		Website: "https://lacegate-hair.example.org", Address: "3rd Floor, Lacegate House, Nottingham", Postcode: "NG1 1PY",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 10,
		Courses: []Course{
			{Qualification: "60027526", Sessions: monPMthuAM, Places: 14, JanuaryIntake: true},
			{Qualification: "50093071", Sessions: tuePMfriAM, Places: 8},
		},
	},
	{
		Name: "Brightcomb Salon Skills",
		Description: "Brightcomb Salon Skills offers a gentle introduction to hair and beauty for learners who may be anxious about larger settings. " +
			"We run the Gateway Qualifications Level 1 Award in Hair and Beauty Therapy in a small salon with a maximum of six learners per session, each working at their own station. " +
			"Units cover shampooing and conditioning, basic styling, nail care and skin care, and learners build confidence by presenting their work to the group at the end of each half-term. " +
			"Our tutor is a qualified teacher with experience in special schools, and we adapt resources for learners with dyslexia, autism or speech and language needs. " +
			"We share a short progress note with the home school every fortnight.",
		ContactName: "Priya Lonsdale", Email: "info@brightcomb.example.org", Phone: "0115 496 0104",
		Website: "https://brightcomb.example.org", Address: "Unit 5, Brightcomb Court, Nottingham", Postcode: "NG11 8QH",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 5,
		Courses: []Course{
			{Qualification: "60364816", Sessions: tueAMthuPM, Places: 6},
		},
	},
	{
		Name: "Meadowlark Hair Studio Training",
		Description: "Meadowlark is a new training studio attached to a family-run salon, offering the City & Guilds Level 1 Certificate in Hairdressing and Beauty Therapy to small groups of key stage 4 learners. " +
			"The studio has six practice stations, a separate classroom for theory and a staff team of two qualified stylists and an assessor. " +
			"We plan to work with learners two half-days a week, combining salon practice with employability sessions on timekeeping, teamwork and customer service. " +
			"Our compliance visit has taken place and we are awaiting the quality evaluation visit before the partnership decides on approval.",
		ContactName: "Jodie Carrow", Email: "studio@meadowlark-hair.example.org", Phone: "0115 496 0105",
		Website: "https://meadowlark-hair.example.org", Address: "The Studio, 27 Meadowlark Row, Nottingham", Postcode: "NG3 2GY",
		Status: provider.ApprovalStatusPENDING,
		Courses: []Course{
			{Qualification: "60027526", Sessions: monAMwedPM, Places: 6},
		},
	},
	// motor vehicle
	{
		Name: "Trent Valley Motor Skills CIC",
		Description: "Trent Valley Motor Skills is a community garage that trains young people in light vehicle maintenance alongside a small commercial servicing business. " +
			"Learners work towards the IMI Level 1 Certificate in Carrying out Periodic Vehicle Maintenance and Inspection, and the strongest can progress to the IMI Level 2 Certificate in Automotive Maintenance, taught at our second workshop in Basford. " +
			"Every learner is issued with overalls and safety boots, and practical work is supervised at a ratio of one technician to four learners. " +
			"We teach tyre, brake, fluid and lighting checks, wheel changes and basic servicing on donated cars, and we link the theory to maths through measurements, tolerances and costings. " +
			"Several former learners are now apprentices with local dealerships.",
		ContactName: "Gary Pendleford", Email: "workshop@trentvalley-motors.example.org", Phone: "0115 496 0111",
		Website: "https://trentvalley-motors.example.org", Address: "Arch 7, Riverside Works, Nottingham", Postcode: "NG2 4HE",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 9,
		Courses: []Course{
			{Qualification: "60330880", Sessions: tueAMthuPM, Places: 12, JanuaryIntake: true},
			{Qualification: "60330892", DeliveryPostcode: "NG6 0GJ", Sessions: wedAMfriAM, Places: 8},
		},
	},
	{
		Name: "Spanner & Piston Community Garage",
		Description: "Spanner & Piston is a not-for-profit garage and cycle workshop where learners learn to look after vehicles safely and confidently. " +
			"We deliver the City & Guilds Level 1 Award in Vehicle Systems Maintenance and the Gateway Qualifications Level 1 Award in Motor Vehicle Services, combining workshop tasks with short theory sessions in our classroom. " +
			"Learners strip and rebuild engines on training rigs, carry out routine checks on our pool vehicles and help restore donated bikes for local families. " +
			"We have strong links with the youth service and the local authority's virtual school, and we are used to supporting learners who are looked after or at risk of exclusion. " +
			"Staff hold enhanced DBS checks and the workshop lead is our designated safeguarding lead.",
		ContactName: "Sunil Marchbank", Email: "garage@spannerandpiston.example.org", Phone: "0115 496 0112",
		Website: "https://spannerandpiston.example.org", Address: "Unit 11, Piston Lane Works, Nottingham", Postcode: "NG6 8QY",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 6,
		Courses: []Course{
			{Qualification: "50122228", Sessions: monAMwedPM, Places: 10, JanuaryIntake: true},
			{Qualification: "60365092", Sessions: tuePMfriAM, Places: 10},
		},
	},
	{
		Name: "Greasewell Motor Project",
		Description: "Greasewell Motor Project offers hands-on motor vehicle training in a two-bay workshop, leading to the City & Guilds Level 1 Award in Vehicle Systems Maintenance. " +
			"Learners rotate between practical tasks on training vehicles and theory sessions using the awarding body's online resources. " +
			"The project is supported by volunteers from the motor trade who act as mentors, and it runs a weekly breakfast club for learners before the morning session. " +
			"Approval is currently suspended while the partnership reviews actions from the most recent compliance visit; no new placements can be made until the review is complete.",
		ContactName: "Lee Hathersage", Email: "info@greasewell.example.org", Phone: "0115 496 0113",
		Website: "https://greasewell.example.org", Address: "Greasewell Yard, Nottingham", Postcode: "NG5 4DS",
		Status: provider.ApprovalStatusSUSPENDED, ApprovedMonths: 4,
		Courses: []Course{
			{Qualification: "50122228", Sessions: monPMthuAM, Places: 8},
		},
	},
	// construction
	{
		Name: "Mortarboard Building Skills CIC",
		Description: "Mortarboard Building Skills runs a construction training centre with bricklaying, carpentry and painting and decorating bays under one roof. " +
			"Learners who need a first step take the City & Guilds Entry Level Certificate in Construction Skills (Entry 3), and those ready for Level 1 take the City & Guilds Level 1 Certificate in Construction Skills. " +
			"Each session starts with a toolbox talk on health and safety, and learners wear full personal protective equipment throughout. " +
			"Tutors are experienced tradespeople with teaching qualifications, and groups are kept small so that every learner gets individual coaching on technique. " +
			"We celebrate progress with a certificate evening each summer, and we help learners apply for construction courses and apprenticeships.",
		ContactName: "Paul Threlkeld", Email: "centre@mortarboard-skills.example.org", Phone: "0115 496 0121",
		Website: "https://mortarboard-skills.example.org", Address: "Mortarboard Works, Nottingham", Postcode: "NG7 5GW",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 11,
		Courses: []Course{
			{Qualification: "60102834", Sessions: wedAMfriAM, Places: 10},
			{Qualification: "60103309", Sessions: tueAMthuPM, Places: 14, JanuaryIntake: true},
		},
	},
	{
		Name: "Plumbline Construction Academy",
		Description: "Plumbline Construction Academy teaches practical building skills on a covered training site with space for learners to build full-size walls, stud partitions and tiled areas. " +
			"We offer the NOCN Level 1 Award in Construction Multiskills and, for learners who need a gentler start, the NOCN Entry Level Award in Introduction to Bricklaying (Entry 3). " +
			"Learners keep a photo log of their work, which doubles as assessment evidence and as a record to show families and schools. " +
			"We have a designated safeguarding lead and a deputy on site, a first-aid trained member of staff in every session, and a clear behaviour policy agreed with partner schools. " +
			"Our aim is that every learner leaves with a qualification and a plan for what comes next.",
		ContactName: "Aisha Brindley", Email: "academy@plumbline.example.org", Phone: "0115 496 0122",
		Website: "https://plumbline.example.org", Address: "Unit 3, Plumbline Park, Nottingham", Postcode: "NG8 5GQ",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 2,
		Courses: []Course{
			{Qualification: "60357642", Sessions: monPMthuAM, Places: 12, JanuaryIntake: true},
			{Qualification: "60356947", Sessions: tuePMfriAM, Places: 8},
		},
	},
	{
		Name: "Trowel & Level Trades Workshop",
		Description: "Trowel & Level is a trades workshop run by a small team of former site managers who want young people to see what a career in construction really looks like. " +
			"We deliver the Ascentis Level 1 Certificate in Skills for Employment in the Construction Industries and the Pearson BTEC Level 1/Level 2 First Award in Construction and the Built Environment, the latter at our partner site south of the river. " +
			"Learners combine practical tasks with planning, measuring and costing small projects, and they visit live sites with our employer partners each term. " +
			"We work closely with schools on English and maths, setting short written and numerical tasks that match each learner's targets. " +
			"The workshop is fully accessible and we make reasonable adjustments for learners with physical needs.",
		ContactName: "Dean Ollerton", Email: "workshop@trowelandlevel.example.org", Phone: "0115 496 0123",
		Website: "https://trowelandlevel.example.org", Address: "Trowel House, Nottingham", Postcode: "NG2 3HS",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 8,
		Courses: []Course{
			{Qualification: "50040339", Sessions: monAMwedPM, Places: 12},
			{Qualification: "60068176", DeliveryPostcode: "NG11 7AX", Sessions: tueAMthuPM, Places: 10, JanuaryIntake: true},
		},
	},
	{
		Name: "Keystone Yard Building Project",
		Description: "Keystone Yard Building Project offered the City & Guilds Level 1 Certificate in Construction Skills from a community workshop, combining practical trades with personal development sessions. " +
			"The project has a long record of working with learners at risk of exclusion and has strong links with local employers. " +
			"Its approval lapsed at the end of its last approval period because the annual compliance visit could not be arranged; it remains listed so that schools can see past placements, but no new placements can be made until it is approved again.",
		ContactName: "Martin Cresswell", Email: "keystone@keystoneyard.example.org", Phone: "0115 496 0124",
		Website: "https://keystoneyard.example.org", Address: "Keystone Yard, Nottingham", Postcode: "NG5 5RN",
		Status: provider.ApprovalStatusLAPSED, ApprovedMonths: -2,
		Courses: []Course{
			{Qualification: "60103309", Sessions: wedAMfriAM, Places: 10},
		},
	},
	// engineering
	{
		Name: "Forgewell Engineering Training",
		Description: "Forgewell Engineering Training is a fully equipped engineering workshop with manual lathes, milling machines, a welding bay and a computer suite for design work. " +
			"Learners take the City & Guilds Level 1 Certificate in Engineering or the NCFE Level 1/2 Technical Award in Engineering, depending on their prior attainment and the outcome the school has asked for. " +
			"Projects include making a toolbox, a small vice and a desk lamp, taking learners from drawings and measurements through to finished, tested products. " +
			"All machine work is supervised one to one until a learner is signed off as competent, and our workshop meets the partnership's health and safety checklist in full. " +
			"We encourage learners to apply for engineering apprenticeships and host an annual open day with local manufacturers.",
		ContactName: "Rachel Umberley", Email: "training@forgewell.example.org", Phone: "0115 496 0131",
		Website: "https://forgewell.example.org", Address: "Forgewell Works, Nottingham", Postcode: "NG7 4ED",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 4,
		Courses: []Course{
			{Qualification: "60008799", Sessions: monAMwedPM, Places: 12, JanuaryIntake: true},
			{Qualification: "60370063", Sessions: tuePMfriAM, Places: 10},
		},
	},
	{
		Name: "Gearwheel Youth Engineering CIC",
		Description: "Gearwheel Youth Engineering introduces young people to engineering through robotics, electronics and simple fabrication. " +
			"Learners work towards the Gateway Qualifications Level 1 Award in Engineering in a bright, modern maker space with 3D printers, laser cutters and hand tools. " +
			"Sessions are project-based: learners design, build and test a small robot over the year and present it at a showcase for families and schools. " +
			"Our team includes a SEND specialist, and we are experienced in supporting autistic learners and those with social, emotional and mental health needs. " +
			"We send a short attendance and progress summary to each home school every week.",
		ContactName: "Imran Foxlowe", Email: "makers@gearwheel.example.org", Phone: "0115 496 0132",
		Website: "https://gearwheel.example.org", Address: "Unit 9, Gearwheel Centre, Nottingham", Postcode: "NG6 8FQ",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 10,
		Courses: []Course{
			{Qualification: "60364865", Sessions: tueAMthuPM, Places: 10, JanuaryIntake: true},
		},
	},
	// sport
	{
		Name: "Riverside Active Futures",
		Description: "Riverside Active Futures uses sport and physical activity to re-engage young people with learning. " +
			"We run the Gateway Qualifications Level 1 Award in Sport, Fitness and Active Leisure at our base by the river, and the Pearson BTEC Level 1/Level 2 Tech Award in Sport at a sports hall near the city centre. " +
			"Sessions mix practical coaching, fitness training and leadership tasks with classroom work on anatomy, health and planning sessions for others. " +
			"Coaches hold national governing body awards and safeguarding in sport certificates, and each learner has a mentor who meets them weekly. " +
			"Learners gain volunteering hours by helping at community sports events, which many use in applications to college sport courses.",
		ContactName: "Chantelle Burrowes", Email: "team@riverside-active.example.org", Phone: "0115 496 0141",
		Website: "https://riverside-active.example.org", Address: "Riverside Pavilion, Nottingham", Postcode: "NG2 4ER",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 6,
		Courses: []Course{
			{Qualification: "60365146", Sessions: monPMthuAM, Places: 16, JanuaryIntake: true},
			{Qualification: "60370683", DeliveryPostcode: "NG2 1AA", Sessions: wedAMfriAM, Places: 12},
		},
	},
	{
		Name: "Goalmouth Sports Coaching CIC",
		Description: "Goalmouth Sports Coaching delivers the NCFE Level 1 Certificate in Sport from a community sports centre with a 3G pitch, sports hall and classroom. " +
			"Learners develop their own fitness and skills, learn how to plan and lead warm-ups and small-sided games, and study the basics of sports injuries and healthy lifestyles. " +
			"We keep groups to twelve and use a points-based reward system agreed with learners at the start of the year. " +
			"Our staff are experienced youth workers as well as coaches, and we have a strong record of improving learners' attendance. " +
			"We hold termly reviews with each school's designated member of staff.",
		ContactName: "Nathan Kirkbride", Email: "coach@goalmouth.example.org", Phone: "0115 496 0142",
		Website: "https://goalmouth.example.org", Address: "Goalmouth Sports Centre, Nottingham", Postcode: "NG8 3NA",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 1,
		Courses: []Course{
			{Qualification: "60126231", Sessions: tueAMthuPM, Places: 12},
		},
	},
	{
		Name: "Fenbrook Boxing & Fitness Academy",
		Description: "Fenbrook Boxing & Fitness Academy offers the Gateway Qualifications Level 1 Award in Sport, Fitness and Active Leisure through non-contact boxing training, circuit work and fitness testing. " +
			"The academy aims to build discipline, self-esteem and healthy routines, and has worked with many learners referred for behaviour. " +
			"Approval is suspended while the partnership follows up concerns from a recent quality evaluation visit; existing learners have been moved to other approved providers.",
		ContactName: "Wes Staveley", Email: "gym@fenbrook-boxing.example.org", Phone: "0115 496 0143",
		Website: "https://fenbrook-boxing.example.org", Address: "Fenbrook Gym, Nottingham", Postcode: "NG3 5GY",
		Status: provider.ApprovalStatusSUSPENDED, ApprovedMonths: 7,
		Courses: []Course{
			{Qualification: "60365146", Sessions: monAMwedPM, Places: 10},
		},
	},
	// media and music technology
	{
		Name: "Redbrick Media Lab",
		Description: "Redbrick Media Lab is a digital media studio where learners make short films, podcasts and social media campaigns for real community clients. " +
			"We deliver the Pearson BTEC Level 1 Introductory Award in Digital Media and the Pearson BTEC Level 1/Level 2 Tech Award in Creative Media Production, using industry-standard editing software on our own workstations. " +
			"Learners take on production roles in small crews, learning to plan, shoot, edit and present their work to deadlines. " +
			"Our tutors are working media professionals with teaching qualifications, and we pay close attention to online safety, consent and image rights. " +
			"Learners' finished work is shown at an end-of-year screening for families and schools.",
		ContactName: "Maya Tunnicliffe", Email: "studio@redbrick-media.example.org", Phone: "0115 496 0151",
		Website: "https://redbrick-media.example.org", Address: "2nd Floor, Redbrick Chambers, Nottingham", Postcode: "NG1 2GR",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 5,
		Courses: []Course{
			{Qualification: "60350106", Sessions: monPMthuAM, Places: 10, JanuaryIntake: true},
			{Qualification: "60370531", Sessions: tueAMthuPM, Places: 10},
		},
	},
	{
		Name: "Framelight Film & Photo Project",
		Description: "Framelight is a community photography and film project offering the NCFE Level 1 Award in Photography. " +
			"Learners learn to use digital cameras and lighting, edit their images and curate a small exhibition, working on location around the city as well as in our studio. " +
			"We work in groups of up to eight, which suits learners who find large classes overwhelming, and every learner has a named key worker. " +
			"Risk assessments are completed for every off-site session and learners are always supervised by two members of staff. " +
			"Several learners have gone on to creative courses at college after their placement.",
		ContactName: "Oliver Dunstall", Email: "project@framelight.example.org", Phone: "0115 496 0152",
		Website: "https://framelight.example.org", Address: "Framelight Studio, Nottingham", Postcode: "NG7 2JZ",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 9,
		Courses: []Course{
			{Qualification: "60133909", Sessions: wedAMfriAM, Places: 8, JanuaryIntake: true},
		},
	},
	{
		Name: "Basslines Music Studio CIC",
		Description: "Basslines Music Studio runs two recording studios and a rehearsal room in the city centre, and uses music production to engage young people who have disengaged from school. " +
			"Learners take the NCFE Level 1 Award in Music Technology or the NCFE Level 1/2 Technical Award in Music Technology, learning sequencing, recording, mixing and live sound. " +
			"Each learner builds a portfolio of tracks, and groups perform and record at an end-of-term showcase. " +
			"Our tutors are experienced producers and youth workers, and we offer a mentoring session each week focusing on wellbeing and next steps. " +
			"We report attendance to schools in real time and follow up any absence by phone the same day.",
		ContactName: "Femi Haddon", Email: "studio@basslines.example.org", Phone: "0115 496 0161",
		Website: "https://basslines.example.org", Address: "Basement Studios, 8 Bassline Court, Nottingham", Postcode: "NG1 1EX",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 3,
		Courses: []Course{
			{Qualification: "50111334", Sessions: tuePMfriAM, Places: 10, JanuaryIntake: true},
			{Qualification: "60370087", Sessions: monAMwedPM, Places: 10},
		},
	},
	{
		Name: "Soundpost Recording Collective",
		Description: "Soundpost Recording Collective is a volunteer-led studio offering the NCFE Level 1 Award in Music Technology in a relaxed, creative setting. " +
			"Learners learn to record instruments and vocals, use a digital audio workstation and produce a finished track, with support from professional musicians. " +
			"Groups are small and sessions are structured around a clear routine, which suits learners with SEN support. " +
			"All staff and volunteers hold enhanced DBS checks and complete the partnership's safeguarding training each year.",
		ContactName: "Ellie Marwood", Email: "hello@soundpost.example.org", Phone: "0115 496 0162",
		Website: "https://soundpost.example.org", Address: "Soundpost House, Nottingham", Postcode: "NG5 5HZ",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 8,
		Courses: []Course{
			{Qualification: "50111334", Sessions: wedAMfriAM, Places: 8},
		},
	},
	// catering and hospitality
	{
		Name: "Saltbox Community Kitchen",
		Description: "Saltbox Community Kitchen is a social enterprise café and training kitchen that serves low-cost lunches to the local community. " +
			"Learners take the City & Guilds Level 1 Award in Introduction to Culinary Skills, and all learners complete the Highfield Level 2 Award in Food Safety for Catering before working on the café service. " +
			"Learners prepare, cook and serve real dishes, learning knife skills, hygiene, costing and customer service in a professional kitchen. " +
			"Our chef tutors have many years of industry experience, and we provide a free breakfast and lunch on placement days. " +
			"We help learners find weekend work and college places in catering and hospitality.",
		ContactName: "Bernadette Lusk", Email: "kitchen@saltbox.example.org", Phone: "0115 496 0171",
		Website: "https://saltbox.example.org", Address: "Saltbox Café, Nottingham", Postcode: "NG3 2NR",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 7,
		Courses: []Course{
			{Qualification: "60109890", Sessions: tueAMthuPM, Places: 12, JanuaryIntake: true},
			{Qualification: "60349372", Sessions: []timetable.Session{sess(timetable.Friday, "09:30", "12:00")}, Places: 12},
		},
	},
	{
		Name: "The Pudding Yard Hospitality Training",
		Description: "The Pudding Yard is a training restaurant and bakery in the city centre where learners experience every part of a hospitality business, from the kitchen to front of house. " +
			"We offer the Gateway Qualifications Entry Level Award in Hospitality and Catering (Entry 3) for learners who need a first step, and the NCFE Level 1 Certificate in Food and Cookery Skills for those ready for Level 1. " +
			"Learners bake bread and cakes for sale, prepare simple dishes and serve customers in our restaurant under close supervision. " +
			"We adapt tasks for learners with SEN support or an EHC plan and agree individual targets with each school. " +
			"All learners gain a reference from our head chef at the end of their placement.",
		ContactName: "Gareth Pennock", Email: "training@puddingyard.example.org", Phone: "0115 496 0172",
		Website: "https://puddingyard.example.org", Address: "The Pudding Yard, Nottingham", Postcode: "NG1 4AF",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 11,
		Courses: []Course{
			{Qualification: "60365031", Sessions: monPMthuAM, Places: 8},
			{Qualification: "60339093", Sessions: wedAMfriAM, Places: 12, JanuaryIntake: true},
		},
	},
	{
		Name: "Copper Pan Café Training",
		Description: "Copper Pan Café Training teaches the NCFE Level 1/2 Technical Award in Food and Cookery in a community café kitchen in Clifton. " +
			"Learners plan, prepare and cook dishes to a brief, learning about nutrition, food safety and the science of cooking, and complete the assessed project under supervised conditions. " +
			"The course suits learners who need a qualification that sits alongside their GCSEs, and we keep in close contact with schools so that coursework deadlines are met. " +
			"Our tutor is a qualified food technology teacher.",
		ContactName: "Sophie Ravensworth", Email: "cafe@copperpan.example.org", Phone: "0115 496 0173",
		Website: "https://copperpan.example.org", Address: "Copper Pan Café, Nottingham", Postcode: "NG11 8PX",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 2,
		Courses: []Course{
			{Qualification: "60370142", Sessions: tuePMfriAM, Places: 10},
		},
	},
	// animal care
	{
		Name: "Brambleside Urban Farm Learning",
		Description: "Brambleside Urban Farm Learning runs a working city farm with sheep, goats, pigs, poultry and a small-animal unit. " +
			"Learners take the City & Guilds Level 1 Award in Work-Based Animal Care at the farm, and the Pearson BTEC Level 1/Level 2 First Award in Animal Care at our classroom base nearby. " +
			"Daily tasks include feeding, mucking out, health checks and handling, and learners take responsibility for their own animals over the year. " +
			"The calm outdoor setting helps learners with anxiety and social, emotional and mental health needs, and our staff are trained in trauma-informed practice. " +
			"We provide waterproofs and boots and carry out a risk assessment for every learner before the placement starts.",
		ContactName: "Helen Gadsby", Email: "farm@brambleside.example.org", Phone: "0115 496 0181",
		Website: "https://brambleside.example.org", Address: "Brambleside Learning Centre, Nottingham", Postcode: "NG11 8EB",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 6,
		Courses: []Course{
			{Qualification: "50066432", DeliveryPostcode: "NG11 8BJ", Sessions: monAMwedPM, Places: 10, JanuaryIntake: true},
			{Qualification: "60145304", Sessions: tueAMthuPM, Places: 8},
		},
	},
	{
		Name: "Thistledown Animal Care Centre",
		Description: "Thistledown Animal Care Centre is a small-animal rescue and rehoming centre that offers the City & Guilds Level 1 Award in Work-Based Animal Care. " +
			"Learners care for rabbits, guinea pigs, reptiles and dogs, learning about housing, diet, hygiene and animal welfare law, and they help prepare animals for rehoming. " +
			"Groups are limited to six so that every learner works closely with a member of staff, and we adapt routines for learners with sensory needs. " +
			"We share a weekly update on attendance, progress and wellbeing with each home school.",
		ContactName: "Kieran Mottram", Email: "care@thistledown.example.org", Phone: "0115 496 0182",
		Website: "https://thistledown.example.org", Address: "Thistledown Centre, Nottingham", Postcode: "NG8 3BL",
		Status: provider.ApprovalStatusAPPROVED, ApprovedMonths: 4,
		Courses: []Course{
			{Qualification: "50066432", Sessions: tuePMfriAM, Places: 6},
		},
	},
}
