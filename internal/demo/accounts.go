package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/password"
)

// DemoPassword is every demo account's password. Demo mode only: the README lists it.
const DemoPassword = "apnet-demo-2026"

// Account is a demo sign-in.
type Account struct {
	Email string
	Role  user.Role
	Of    string // the school or provider, if any
}

// SeedAccounts creates one active account per role, with school staff at two
// schools (in name order) and provider staff at the two providers (in name
// order) that have active placements. It expects Seed's data; ctx must act
// as the system.
func SeedAccounts(ctx context.Context, client *ent.Client, now time.Time) ([]Account, error) {
	hash, err := password.Hash(DemoPassword)
	if err != nil {
		return nil, err
	}
	schools, err := client.School.Query().Order(ent.Asc(school.FieldName)).Limit(2).All(ctx)
	if err != nil {
		return nil, err
	}
	providers, err := client.Provider.Query().
		Where(provider.HasCoursesWith(course.HasPlacementsWith(placement.StatusEQ(placement.StatusACTIVE)))).
		Order(ent.Asc(provider.FieldName)).Limit(2).All(ctx)
	if err != nil {
		return nil, err
	}
	if len(schools) < 2 || len(providers) < 2 {
		return nil, fmt.Errorf("demo accounts need the demo data: found %d schools and %d providers with placements", len(schools), len(providers))
	}
	type spec struct {
		email string
		role  user.Role
		sch   *ent.School
		prov  *ent.Provider
	}
	specs := []spec{
		{"admin@apnet.example", user.RolePARTNERSHIP_ADMIN, nil, nil},
		{"qa@apnet.example", user.RoleQA_OFFICER, nil, nil},
		{"school1@apnet.example", user.RoleSCHOOL_STAFF, schools[0], nil},
		{"school2@apnet.example", user.RoleSCHOOL_STAFF, schools[1], nil},
		{"provider1@apnet.example", user.RolePROVIDER_STAFF, nil, providers[0]},
		{"provider2@apnet.example", user.RolePROVIDER_STAFF, nil, providers[1]},
	}
	names := map[user.Role]string{
		user.RolePARTNERSHIP_ADMIN: "Demo Partnership Admin", user.RoleQA_OFFICER: "Demo QA Officer",
		user.RoleSCHOOL_STAFF: "Demo Designated Lead", user.RolePROVIDER_STAFF: "Demo Provider Tutor",
	}
	var out []Account
	bulk := make([]*ent.UserCreate, len(specs))
	for i, s := range specs {
		c := client.User.Create().SetEmail(s.email).SetName(names[s.role]).SetRole(s.role).
			SetPasswordHash(hash).SetActive(true).SetCreatedAt(now)
		a := Account{Email: s.email, Role: s.role}
		if s.sch != nil {
			c.SetSchool(s.sch)
			a.Of = s.sch.Name
		}
		if s.prov != nil {
			c.SetProvider(s.prov)
			a.Of = s.prov.Name
		}
		bulk[i] = c
		out = append(out, a)
	}
	if err := client.User.CreateBulk(bulk...).Exec(ctx); err != nil {
		return nil, fmt.Errorf("create demo accounts: %w", err)
	}
	return out, nil
}
