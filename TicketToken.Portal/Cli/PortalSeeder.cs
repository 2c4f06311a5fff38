using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using TicketToken.Data.Portal;
using TicketToken.Data.Seeding;
using TicketToken.Portal.Security;

namespace TicketToken.Portal.Cli;

/// <summary>
/// Seeds the portal's own data: its roles everywhere, and in Development only the demo accounts (one per role,
/// the two-factor ones pre-enrolled with <see cref="DemoAccounts.TotpSecret"/>). Running it again changes nothing.
/// </summary>
public sealed class PortalSeeder(
    UserManager<PortalUser> users,
    RoleManager<PortalRole> roles,
    IDbContextFactory<PortalDbContext> portalContexts,
    IHostEnvironment environment,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> SeedAsync(string adminConnectionString, SeedOptions options, CancellationToken ct, bool showProgress = false)
    {
        var log = new List<string>();
        await EnsureRolesAsync(log);
        var demoVenues = await PlatformDemoData.SeedAsync(adminConnectionString, options, showProgress, log, ct);

        if (!environment.IsDevelopment())
        {
            log.Add("demo accounts: not created outside Development");
            return log;
        }

        await EnsureDemoAccountsAsync(log);
        if (demoVenues is { } venues)
        {
            await LinkVenueManagerAsync(venues, log, ct);
        }

        return log;
    }

    public async Task EnsureRolesAsync(List<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        foreach (var role in PortalRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new PortalRole(role)), $"create role {role}");
                log.Add($"role {role} created");
            }
        }
    }

    /// <summary>The demo accounts, in Development only.</summary>
    public async Task EnsureDemoAccountsAsync(List<string> log)
    {
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException("Demo accounts exist only in Development.");
        }

        await EnsureRolesAsync(log);
        foreach (var account in DemoAccounts.All)
        {
            await EnsureDemoAccountAsync(account, log);
        }
    }

    private async Task EnsureDemoAccountAsync(DemoAccount account, List<string> log)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(log);
        var user = await users.FindByEmailAsync(account.Email);
        if (user is null)
        {
            user = new PortalUser
            {
                UserName = account.Email,
                Email = account.Email,
                EmailConfirmed = true,
                DisplayName = account.DisplayName,
                CreatedAt = clock.GetUtcNow(),
            };
            Check(await users.CreateAsync(user, DemoAccounts.Password), $"create {account.Email}");
            log.Add($"demo account {account.Email} created");
        }

        if (!await users.IsInRoleAsync(user, account.Role))
        {
            Check(await users.AddToRoleAsync(user, account.Role), $"add {account.Email} to {account.Role}");
        }

        if (account.RequiresTwoFactor && !await users.GetTwoFactorEnabledAsync(user))
        {
            // The same store entry Identity's authenticator uses; the README prints the secret.
            Check(await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", DemoAccounts.TotpSecret), "set authenticator key");
            Check(await users.SetTwoFactorEnabledAsync(user, true), "enable two-factor");
            log.Add($"demo account {account.Email}: two-factor enrolled");
        }
    }

    private async Task LinkVenueManagerAsync(PlatformDemoData.DemoVenues venues, List<string> log, CancellationToken ct)
    {
        var manager = await users.FindByEmailAsync("venue@demo.local");
        if (manager is null)
        {
            return;
        }

        await using var db = await portalContexts.CreateDbContextAsync(ct);
        var existing = await db.UserVenues.Where(v => v.UserId == manager.Id).Select(v => v.VenueId).ToListAsync(ct);
        foreach (var venueId in venues.VenueIds.Except(existing))
        {
            db.UserVenues.Add(new PortalUserVenue { UserId = manager.Id, TenantId = venues.TenantId, VenueId = venueId });
        }

        var added = await db.SaveChangesAsync(ct);
        if (added > 0)
        {
            log.Add($"venue@demo.local linked to {added} venue(s) of tenant {venues.TenantId}");
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
