using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using TicketToken.Data.Infrastructure;
using TicketToken.Data.Portal;
using TicketToken.Jobs.Infrastructure;
using TicketToken.Portal.Components;
using TicketToken.Portal.Components.Account;
using TicketToken.Portal.Explorer;
using TicketToken.Portal.Health;
using TicketToken.Portal.Security;
using TicketToken.Portal.Support;

namespace TicketToken.Portal.Hosting;

public static class PortalHostingExtensions
{
    public static WebApplicationBuilder AddTicketTokenPortal(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddSharedDevelopmentSettings(builder.Environment);
        // Static web assets (MudBlazor's CSS and JS) are found from the build output in every environment.
        builder.WebHost.UseStaticWebAssets();

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddTicketTokenData(builder.Configuration);
        services.AddTicketTokenJobs(builder.Configuration);

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddHttpContextAccessor();

        services.Configure<PortalSecurityOptions>(builder.Configuration.GetSection(PortalSecurityOptions.Section));
        services.AddPortalIdentity();
        services.AddDataProtection()
            .SetApplicationName("TicketToken.Portal")
            .PersistKeysToDbContext<PortalDbContext>();

        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: [HealthTags.Ready])
            .AddCheck<MigrationsAppliedCheck>("migrations", tags: [HealthTags.Ready])
            .AddCheck<HangfireStorageCheck>("hangfire", tags: [HealthTags.Ready]);

        services.AddScoped<TicketToken.Data.Tenancy.IPortalActor, CircuitPortalActor>();
        services.AddScoped<Components.Shared.HomeCounts>();
        services.AddSingleton<Explorer.ExplorerCatalog>();
        services.AddSingleton<Explorer.ExplorerRlsFacts>();
        services.AddScoped<Explorer.ExplorerData>();
        services.AddScoped<Explorer.ExplorerWriter>();
        services.AddScoped<Explorer.BrowserTimeZone>();
        services.AddSupport(builder.Configuration);
        services.AddExplorerViewsAndExports(builder.Configuration);
        return builder;
    }

    private static void AddPortalIdentity(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<Components.Account.IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.SignIn.RequireConfirmedAccount = false;
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = true;
                o.Password.RequiredUniqueChars = 6;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<PortalRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddDefaultTokenProviders();

        services.AddScoped<ISecurityStampValidator, PortalSecurityStampValidator>();
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(5));

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "TicketToken.Portal";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(10);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToAccessDenied = ctx => ForbiddenOrTwoFactorSetup(ctx);
            o.Events.OnRedirectToLogin = ctx =>
            {
                if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/health"))
                {
                    ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                ctx.Response.Redirect(ctx.RedirectUri);
                return Task.CompletedTask;
            };
        });

        services.AddAuthorization(PortalPolicies.Configure);
        services.AddSingleton<IAuthorizationHandler, TwoFactorSatisfiedHandler>();
    }

    /// <summary>A signed-in user who lacks a required second factor is sent to enroll one; anyone else gets 403.</summary>
    private static Task ForbiddenOrTwoFactorSetup(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        var user = ctx.HttpContext.User;
        if (!IsApiLike(ctx.Request) && !TwoFactorSatisfiedRequirement.IsSatisfiedBy(user))
        {
            ctx.Response.Redirect("/Account/Manage/TwoFactor?required=1");
            return Task.CompletedTask;
        }

        if (IsApiLike(ctx.Request))
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    private static bool IsApiLike(HttpRequest request) =>
        request.Path.StartsWithSegments("/jobs") || request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/api");

    public static async Task UseTicketTokenPortalAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await StartupChecks.RunAsync(app);

        // A failure never shows a stack trace: the friendly error page, in every environment.
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapExplorerExportDownloads();

        app.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            DashboardTitle = "TicketToken jobs",
            AppPath = "/",
            DisplayStorageConnectionString = false,
            // Endpoint authorization below decides; this filter repeats the role check inside Hangfire.
            Authorization = [new HangfireDashboardAuthorizationFilter()],
            AsyncAuthorization = [],
        }).RequireAuthorization(PortalPolicies.JobsDashboard);

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
    }
}
