using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TicketToken.Data.Portal;

namespace TicketToken.Portal.Explorer;

/// <summary>A saved view as a user may see it: <see cref="IsMine"/> says whether they may rename or delete it.</summary>
public sealed record SavedViewItem(Guid Id, string Name, string Query, string? SharedWithRole, bool IsMine, string Path);

/// <summary>The outcome of a change: null <see cref="Error"/> when it worked; otherwise a message for the user, nothing changed.</summary>
public sealed record SavedViewResult(string? Error, SavedViewItem? View = null)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Saved explorer views (portal.explorer_saved_views). Every check is made here, on the server: a user lists and opens only
/// their own views and views shared with one of their roles, and changes only their own. A view is only a URL state;
/// opening a shared view reads rows under the viewer's own permissions.
/// </summary>
public sealed class ExplorerSavedViews(IDbContextFactory<PortalDbContext> portal, TimeProvider clock)
{
    public async Task<IReadOnlyList<SavedViewItem>> ListAsync(ExplorerTable table, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        var me = UserId(user);
        var roles = Roles(user);
        await using var db = await portal.CreateDbContextAsync(ct);
        var views = await db.SavedViews.AsNoTracking()
            .Where(v => v.Service == table.Service && v.TableName == table.Name)
            .Where(v => v.OwnerId == me || (v.SharedWithRole != null && roles.Contains(v.SharedWithRole)))
            .OrderBy(v => v.OwnerId != me)
            .ThenBy(v => v.Name)
            .ToListAsync(ct);
        return [.. views.Select(v => Item(v, table, me))];
    }

    /// <summary>A view the user may see, or null (not found, or not theirs and not shared with their roles).</summary>
    public async Task<SavedViewItem?> FindAsync(ExplorerTable table, Guid id, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        var me = UserId(user);
        var roles = Roles(user);
        await using var db = await portal.CreateDbContextAsync(ct);
        var view = await db.SavedViews.AsNoTracking()
            .Where(v => v.Id == id && v.Service == table.Service && v.TableName == table.Name)
            .Where(v => v.OwnerId == me || (v.SharedWithRole != null && roles.Contains(v.SharedWithRole)))
            .SingleOrDefaultAsync(ct);
        return view is null ? null : Item(view, table, me);
    }

    /// <summary>Saves the grid state as a named view of the user's own (the page position is not kept).</summary>
    public async Task<SavedViewResult> SaveAsync(ExplorerTable table, GridState state, string? name, string? sharedWithRole, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(state);
        if (ExplorerAccess.ScopeFor(user, table) == ExplorerScope.None)
        {
            return new SavedViewResult($"Your roles don't include reading {table.Service}/{table.Name}.");
        }

        var me = UserId(user);
        if (ValidateName(name) is { } nameError)
        {
            return new SavedViewResult(nameError);
        }

        if (sharedWithRole is not null && !PortalRoles.All.Contains(sharedWithRole))
        {
            return new SavedViewResult($"'{sharedWithRole}' is not a portal role.");
        }

        var query = (state with { Page = 1, After = null }).ToQueryString();
        if (query.Length > ExplorerSavedView.QueryMaxLength)
        {
            return new SavedViewResult($"This view's filters are too long to save (more than {ExplorerSavedView.QueryMaxLength} characters).");
        }

        var trimmed = name!.Trim();
        var now = clock.GetUtcNow();
        var view = new ExplorerSavedView
        {
            Id = Guid.CreateVersion7(),
            OwnerId = me,
            Service = table.Service,
            TableName = table.Name,
            Name = trimmed,
            Query = query,
            SharedWithRole = sharedWithRole,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var db = await portal.CreateDbContextAsync(ct);
        if (await NameTakenAsync(db, table, me, trimmed, null, ct))
        {
            return new SavedViewResult(Taken(trimmed));
        }

        db.SavedViews.Add(view);
        return await SaveChangesAsync(db, trimmed, ct) ?? new SavedViewResult(null, Item(view, table, me));
    }

    /// <summary>Renames one of the user's own views; who it is shared with stays as it is.</summary>
    public Task<SavedViewResult> RenameAsync(ExplorerTable table, Guid id, string? name, ClaimsPrincipal user, CancellationToken ct) =>
        UpdateAsync(table, id, name, null, changeSharing: false, user, ct);

    /// <summary>Renames one of the user's own views and sets the role it is shared with (null: nobody else).</summary>
    public Task<SavedViewResult> EditAsync(ExplorerTable table, Guid id, string? name, string? sharedWithRole, ClaimsPrincipal user, CancellationToken ct) =>
        UpdateAsync(table, id, name, sharedWithRole, changeSharing: true, user, ct);

    private async Task<SavedViewResult> UpdateAsync(
        ExplorerTable table, Guid id, string? name, string? sharedWithRole, bool changeSharing, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        var me = UserId(user);
        if (ValidateName(name) is { } nameError)
        {
            return new SavedViewResult(nameError);
        }

        if (changeSharing && sharedWithRole is not null && !PortalRoles.All.Contains(sharedWithRole))
        {
            return new SavedViewResult($"'{sharedWithRole}' is not a portal role.");
        }

        var trimmed = name!.Trim();
        await using var db = await portal.CreateDbContextAsync(ct);
        var view = await db.SavedViews.SingleOrDefaultAsync(v => v.Id == id && v.OwnerId == me && v.Service == table.Service && v.TableName == table.Name, ct);
        if (view is null)
        {
            return new SavedViewResult("Only your own views can be changed.");
        }

        if (await NameTakenAsync(db, table, me, trimmed, id, ct))
        {
            return new SavedViewResult(Taken(trimmed));
        }

        view.Name = trimmed;
        if (changeSharing)
        {
            view.SharedWithRole = sharedWithRole;
        }

        view.UpdatedAt = clock.GetUtcNow();
        return await SaveChangesAsync(db, trimmed, ct) ?? new SavedViewResult(null, Item(view, table, me));
    }

    public async Task<SavedViewResult> DeleteAsync(ExplorerTable table, Guid id, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        var me = UserId(user);
        await using var db = await portal.CreateDbContextAsync(ct);
        var deleted = await db.SavedViews
            .Where(v => v.Id == id && v.OwnerId == me && v.Service == table.Service && v.TableName == table.Name)
            .ExecuteDeleteAsync(ct);
        return deleted == 0 ? new SavedViewResult("Only your own views can be deleted.") : new SavedViewResult(null);
    }

    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Give the view a name.";
        }

        return name.Trim().Length > ExplorerSavedView.NameMaxLength ? $"A view's name has at most {ExplorerSavedView.NameMaxLength} characters." : null;
    }

    private static Task<bool> NameTakenAsync(PortalDbContext db, ExplorerTable table, Guid me, string name, Guid? except, CancellationToken ct) =>
        db.SavedViews.AnyAsync(v => v.OwnerId == me && v.Service == table.Service && v.TableName == table.Name && v.Name == name && v.Id != except, ct);

    private static string Taken(string name) => $"You already have a view named '{name}' for this table.";

    /// <summary>The unique index decides when two saves race; the loser gets the same message as the pre-check.</summary>
    private static async Task<SavedViewResult?> SaveChangesAsync(PortalDbContext db, string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return new SavedViewResult(Taken(name));
        }
    }

    private static SavedViewItem Item(ExplorerSavedView v, ExplorerTable table, Guid me) =>
        new(v.Id, v.Name, v.Query, v.SharedWithRole, v.OwnerId == me, table.Path + v.Query);

    internal static Guid UserId(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? id
            : throw new ExplorerAccessDeniedException("Sign in to use saved views.");
    }

    private static List<string> Roles(ClaimsPrincipal user) => [.. PortalRoles.All.Where(user.IsInRole)];
}
