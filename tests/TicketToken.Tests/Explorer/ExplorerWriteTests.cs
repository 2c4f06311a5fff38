using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.Data;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Explorer;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

/// <summary>Explorer writes on real PostgreSQL: concurrency on xmin, the audit row in the same transaction, deletes, and who may write what.</summary>
public sealed class ExplorerWriteTests(SeededExplorerFixture fixture) : IClassFixture<SeededExplorerFixture>
{
    private static readonly PortalActorInfo AdminActor = new(Guid.NewGuid(), "admin@example.test", "127.0.0.1");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_edits_of_one_row_the_second_gets_a_conflict_with_both_versions_and_can_reapply()
    {
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator);
        var writer = Writer(admin);
        var events = fixture.Table("event", "events");
        var id = await fixture.ScalarAsync<Guid>("SELECT id FROM public.events WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET 3");
        var first = (await writer.LoadAsync(events, id.ToString(), admin, Ct))!;
        var second = (await writer.LoadAsync(events, id.ToString(), admin, Ct))!;
        Assert.Equal(first.Xmin, second.Xmin);

        var alice = new Dictionary<string, string?>(first.Values) { ["name"] = "Renamed by Alice" };
        var saved = await writer.UpdateAsync(events, first, alice, "Alice fixes the name", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, saved.Status);
        Assert.NotEqual(first.Xmin, saved.Current!.Xmin);

        var bob = new Dictionary<string, string?>(second.Values) { ["description"] = "Bob's description", ["priority_score"] = "7" };
        var conflict = await writer.UpdateAsync(events, second, bob, "Bob adds a description", admin, AdminActor, Ct);

        Assert.Equal(WriteStatus.Conflict, conflict.Status);
        Assert.Equal("Renamed by Alice", conflict.Current!.Values["name"]);
        Assert.NotEqual("Bob's description", conflict.Current.Values["description"]);
        Assert.Equal("Bob's description", bob["description"]);
        Assert.Equal("Renamed by Alice", await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{id}'"));
        Assert.Equal("Renamed by Alice", await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{id}'"));
        Assert.Equal(0L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND description = 'Bob''s description'"));

        // Re-apply Bob's changed fields onto the current version: both changes survive.
        var merged = new Dictionary<string, string?>(conflict.Current.Values) { ["description"] = bob["description"], ["priority_score"] = bob["priority_score"] };
        var again = await writer.UpdateAsync(events, conflict.Current, merged, "Bob adds a description", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, again.Status);
        Assert.Equal(1L, await fixture.ScalarAsync<long>(
            $"SELECT count(*) FROM public.events WHERE id = '{id}' AND name = 'Renamed by Alice' AND description = 'Bob''s description' AND priority_score = 7"));
        Assert.Equal(2L, await fixture.ScalarAsync<long>(
            $"SELECT count(*) FROM portal.audit_log WHERE action = '{ExplorerWriter.UpdateAction}' AND table_name = 'events' AND record_key = '{id}'"));
    }

    [Fact]
    public async Task The_audit_row_commits_with_the_write_and_rolls_back_with_it()
    {
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator);
        var writer = Writer(admin);
        var events = fixture.Table("event", "events");
        var id = await fixture.ScalarAsync<Guid>("SELECT id FROM public.events WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET 5");
        var tenant = await fixture.ScalarAsync<Guid>($"SELECT tenant_id FROM public.events WHERE id = '{id}'");
        var originalName = await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{id}'");
        var loaded = (await writer.LoadAsync(events, id.ToString(), admin, Ct))!;

        // A CHECK violation (age_restriction >= 0): the database refuses, nothing is written, not even the audit row.
        var bad = new Dictionary<string, string?>(loaded.Values) { ["name"] = "Must not stay", ["age_restriction"] = "-1" };
        var refused = await writer.UpdateAsync(events, loaded, bad, "Testing a refused change", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Failed, refused.Status);
        Assert.Contains("events_age_restriction_check", refused.Message, StringComparison.Ordinal);
        Assert.True(refused.FieldErrors.ContainsKey("age_restriction"));
        Assert.Equal("-1", bad["age_restriction"]);
        Assert.Equal(originalName, await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{id}'"));
        Assert.Equal(0L, await AuditCountAsync(id));

        // The audit insert fails: the platform write rolls back with it.
        await AdminSqlAsync("""
            CREATE FUNCTION portal.tt_test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$;
            CREATE TRIGGER tt_test_refuse_audit BEFORE INSERT ON portal.audit_log FOR EACH ROW EXECUTE FUNCTION portal.tt_test_refuse_audit();
            """);
        ExplorerWriteResult failed;
        try
        {
            var good = new Dictionary<string, string?>(loaded.Values) { ["name"] = "Written without an audit row" };
            failed = await writer.UpdateAsync(events, loaded, good, "Testing a failing audit", admin, AdminActor, Ct);
        }
        finally
        {
            await AdminSqlAsync("DROP TRIGGER tt_test_refuse_audit ON portal.audit_log; DROP FUNCTION portal.tt_test_refuse_audit();");
        }

        Assert.Equal(WriteStatus.Failed, failed.Status);
        Assert.Contains("Nothing was written", failed.Message, StringComparison.Ordinal);
        Assert.Equal(originalName, await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{id}'"));
        Assert.Equal(0L, await AuditCountAsync(id));

        // And a good write commits both, the audit row with who, tenant, before, after and the reason.
        var fine = new Dictionary<string, string?>(loaded.Values) { ["name"] = "Audited rename" };
        var saved = await writer.UpdateAsync(events, loaded, fine, "Rename requested by the venue", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, saved.Status);
        Assert.Equal("Audited rename", await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{id}'"));
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"""
            SELECT count(*) FROM portal.audit_log WHERE table_name = 'events' AND record_key = '{id}' AND action = '{ExplorerWriter.UpdateAction}'
              AND user_name = 'admin@example.test' AND tenant_id = '{tenant}' AND reason = 'Rename requested by the venue'
              AND before->>'name' = '{originalName.Replace("'", "''", StringComparison.Ordinal)}' AND after->>'name' = 'Audited rename'
            """));
    }

    [Fact]
    public async Task Soft_delete_and_restore_are_audited_and_hard_delete_is_for_administrators_only()
    {
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator);
        var writer = Writer(admin);
        var events = fixture.Table("event", "events");
        var id = await fixture.ScalarAsync<Guid>("SELECT id FROM public.events WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET 7");

        var noReason = await writer.SoftDeleteAsync(events, id.ToString(), null, "", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Invalid, noReason.Status);
        Assert.True(noReason.FieldErrors.ContainsKey(ExplorerWriteResult.ReasonField));
        Assert.Equal(0L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND deleted_at IS NOT NULL"));

        var version = (await writer.LoadAsync(events, id.ToString(), ExplorerAction.Delete, admin, Ct))?.Xmin;
        Assert.NotNull(version);
        var deleted = await writer.SoftDeleteAsync(events, id.ToString(), version, "Duplicate event", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, deleted.Status);
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND deleted_at IS NOT NULL"));
        var restored = await writer.RestoreAsync(events, id.ToString(), deleted.Current!.Xmin, "Not a duplicate after all", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, restored.Status);
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND deleted_at IS NULL"));
        Assert.Equal(1L, await fixture.ScalarAsync<long>(
            $"SELECT count(*) FROM portal.audit_log WHERE record_key = '{id}' AND action = '{ExplorerWriter.SoftDeleteAction}' AND after->>'deleted_at' IS NOT NULL"));
        Assert.Equal(1L, await fixture.ScalarAsync<long>(
            $"SELECT count(*) FROM portal.audit_log WHERE record_key = '{id}' AND action = '{ExplorerWriter.RestoreAction}' AND after->>'deleted_at' IS NULL"));

        // Hard delete: refused for every other role, on the server, whatever the page shows.
        foreach (var role in new[] { PortalRoles.SupportAgent, PortalRoles.FinanceAnalyst, PortalRoles.ComplianceOfficer, PortalRoles.VenueManager })
        {
            var user = SeededExplorerFixture.User(role);
            await Assert.ThrowsAsync<ExplorerAccessDeniedException>(() =>
                Writer(user).HardDeleteAsync(events, id.ToString(), null, id.ToString(), "Trying to delete for good", user, AdminActor, Ct));
        }

        Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}'"));

        // An administrator must type the key; a restricting foreign key gives a clear message and deletes nothing.
        var venue = await fixture.ScalarAsync<Guid>($"SELECT venue_id FROM public.events WHERE id = '{id}'");
        var venues = fixture.Table("venue", "venues");
        var unconfirmed = await writer.HardDeleteAsync(venues, venue.ToString(), null, "wrong", "Venue closed for good", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Invalid, unconfirmed.Status);
        var restricted = await writer.HardDeleteAsync(venues, venue.ToString(), null, venue.ToString(), "Venue closed for good", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Failed, restricted.Status);
        Assert.Contains("still point at this row", restricted.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.venues WHERE id = '{venue}'"));
        Assert.Equal(0L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM portal.audit_log WHERE record_key = '{venue}' AND action = '{ExplorerWriter.DeleteAction}'"));

        // A row nothing points at goes, with its audit row.
        var note = await fixture.ScalarAsync<Guid>("SELECT id FROM public.order_notes ORDER BY id LIMIT 1");
        var notes = fixture.Table("order", "order_notes");
        var gone = await writer.HardDeleteAsync(notes, note.ToString(), null, note.ToString(), "Posted on the wrong order", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, gone.Status);
        Assert.Equal(0L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.order_notes WHERE id = '{note}'"));
        Assert.Equal(1L, await fixture.ScalarAsync<long>(
            $"SELECT count(*) FROM portal.audit_log WHERE record_key = '{note}' AND action = '{ExplorerWriter.DeleteAction}' AND before IS NOT NULL AND after IS NULL"));
    }

    [Fact]
    public async Task A_delete_or_restore_of_a_row_that_changed_after_it_was_read_is_refused_and_changes_nothing()
    {
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator);
        var writer = Writer(admin);
        var events = fixture.Table("event", "events");
        var id = await fixture.ScalarAsync<Guid>("SELECT id FROM public.events WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET 11");
        var seen = (await writer.LoadAsync(events, id.ToString(), ExplorerAction.Delete, admin, Ct))?.Xmin;
        Assert.NotNull(seen);

        // Someone else renames the event after the administrator opened it.
        var loaded = (await writer.LoadAsync(events, id.ToString(), admin, Ct))!;
        var renamed = await writer.UpdateAsync(events, loaded, new Dictionary<string, string?>(loaded.Values) { ["name"] = "Renamed meanwhile" }, "Venue asked for it", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, renamed.Status);
        var audits = await AuditCountAsync(id);

        var soft = await writer.SoftDeleteAsync(events, id.ToString(), seen, "Duplicate event", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Conflict, soft.Status);
        Assert.Contains("changed this row", soft.Message, StringComparison.Ordinal);
        Assert.Equal("Renamed meanwhile", soft.Current!.Values["name"]);
        Assert.Equal(renamed.Current!.Xmin, soft.Current.Xmin);

        var hard = await writer.HardDeleteAsync(events, id.ToString(), seen, id.ToString(), "Duplicate event", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Conflict, hard.Status);
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND deleted_at IS NULL"));
        Assert.Equal(audits, await AuditCountAsync(id));

        // With the current version it goes through; restoring with the version from before the delete is refused.
        var deleted = await writer.SoftDeleteAsync(events, id.ToString(), soft.Current.Xmin, "Duplicate event", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, deleted.Status);
        var staleRestore = await writer.RestoreAsync(events, id.ToString(), soft.Current.Xmin, "Not a duplicate", admin, AdminActor, Ct);
        Assert.Equal(WriteStatus.Conflict, staleRestore.Status);
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{id}' AND deleted_at IS NOT NULL"));
        Assert.Equal(WriteStatus.Saved, (await writer.RestoreAsync(events, id.ToString(), deleted.Current!.Xmin, "Not a duplicate", admin, AdminActor, Ct)).Status);
    }

    [Fact]
    public async Task A_venue_manager_cannot_write_another_venues_or_tenants_row_even_by_id()
    {
        var (manager, mine, tenant) = await VenueManagerAsync();
        var user = SeededExplorerFixture.User(PortalRoles.VenueManager, manager);
        var writer = Writer(user);
        var admin = SeededExplorerFixture.User(PortalRoles.Administrator);
        var events = fixture.Table("event", "events");
        var list = string.Join(",", mine.Select(v => $"'{v}'"));
        var ownEvent = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.events WHERE venue_id IN ({list}) ORDER BY id LIMIT 1");
        var otherTenantEvent = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.events WHERE tenant_id <> '{tenant}' ORDER BY id LIMIT 1");
        var sameTenantCount = await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE tenant_id = '{tenant}' AND venue_id NOT IN ({list})");

        // Their own venue's event: allowed (and the form never carries sensitive columns).
        var own = await writer.LoadAsync(events, ownEvent.ToString(), user, Ct);
        Assert.NotNull(own);
        var ownSaved = await writer.UpdateAsync(events, own, new Dictionary<string, string?>(own.Values) { ["name"] = "Own event renamed" }, "Our new title", user, AdminActor, Ct);
        Assert.Equal(WriteStatus.Saved, ownSaved.Status);

        var targets = new List<Guid> { otherTenantEvent };
        if (sameTenantCount > 0)
        {
            targets.Add(await fixture.ScalarAsync<Guid>($"SELECT id FROM public.events WHERE tenant_id = '{tenant}' AND venue_id NOT IN ({list}) ORDER BY id LIMIT 1"));
        }

        foreach (var target in targets)
        {
            var before = await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{target}'");
            Assert.Null(await writer.LoadAsync(events, target.ToString(), user, Ct));

            // Typing the id: a forged form with the real version of the row still changes nothing.
            var real = (await Writer(admin).LoadAsync(events, target.ToString(), admin, Ct))!;
            var forged = await writer.UpdateAsync(events, real, new Dictionary<string, string?>(real.Values) { ["name"] = "Hijacked" }, "Forged by id", user, AdminActor, Ct);
            Assert.Equal(WriteStatus.NotFound, forged.Status);
            Assert.Equal(WriteStatus.NotFound, (await writer.SoftDeleteAsync(events, target.ToString(), null, "Forged by id", user, AdminActor, Ct)).Status);
            Assert.Equal(before, await fixture.ScalarAsync<string>($"SELECT name FROM public.events WHERE id = '{target}'"));
            Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{target}' AND deleted_at IS NULL"));
        }

        // Moving their event to another tenant's venue, or creating one there, is refused and rolled back.
        var foreignVenue = await fixture.ScalarAsync<Guid>($"SELECT venue_id FROM public.events WHERE id = '{otherTenantEvent}'");
        var current = (await writer.LoadAsync(events, ownEvent.ToString(), user, Ct))!;
        var moved = await Record(() => writer.UpdateAsync(events, current, new Dictionary<string, string?>(current.Values) { ["venue_id"] = foreignVenue.ToString() }, "Move it", user, AdminActor, Ct));
        Assert.NotEqual(WriteStatus.Saved, moved);
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"SELECT count(*) FROM public.events WHERE id = '{ownEvent}' AND venue_id IN ({list})"));

        var foreignTenant = await fixture.ScalarAsync<Guid>($"SELECT tenant_id FROM public.events WHERE id = '{otherTenantEvent}'");
        var created = await Record(() => writer.CreateAsync(events, new Dictionary<string, string?>
        {
            ["venue_id"] = foreignVenue.ToString(),
            ["name"] = "Planted event",
            ["slug"] = "planted-event",
            ["event_type"] = "single",
            ["tenant_id"] = foreignTenant.ToString(),
        }, "Plant an event", user, AdminActor, Ct));
        Assert.NotEqual(WriteStatus.Saved, created);
        Assert.Equal(0L, await fixture.ScalarAsync<long>("SELECT count(*) FROM public.events WHERE name = 'Planted event'"));

        // The venue picker offers their venues only.
        var offered = await writer.SearchParentAsync(fixture.Table("venue", "venues"), "", user, Ct);
        Assert.NotEmpty(offered);
        Assert.All(offered, o => Assert.Contains(Guid.Parse(o.Key), mine));

        // Roles without write access to a table are refused on the server.
        var support = SeededExplorerFixture.User(PortalRoles.SupportAgent);
        await Assert.ThrowsAsync<ExplorerAccessDeniedException>(() => Writer(support).UpdateAsync(events, current, current.Values, "Support edits events", support, AdminActor, Ct));
        var finance = SeededExplorerFixture.User(PortalRoles.FinanceAnalyst);
        await Assert.ThrowsAsync<ExplorerAccessDeniedException>(() => Writer(finance).LoadAsync(fixture.Table("order", "order_notes"), ownEvent.ToString(), finance, Ct));
    }

    [Fact]
    public async Task Support_adds_an_order_note_under_the_orders_tenant_with_types_validated_by_the_schema()
    {
        var support = SeededExplorerFixture.User(PortalRoles.SupportAgent);
        var writer = Writer(support);
        var notes = fixture.Table("order", "order_notes");
        var order = await fixture.ScalarAsync<Guid>("SELECT id FROM public.orders ORDER BY id LIMIT 1 OFFSET 11");
        var tenant = await fixture.ScalarAsync<Guid>($"SELECT tenant_id FROM public.orders WHERE id = '{order}'");
        var values = new Dictionary<string, string?>
        {
            ["tenant_id"] = tenant.ToString(),
            ["order_id"] = order.ToString(),
            ["admin_user_id"] = "not-a-uuid",
            ["note_type"] = "SHOUTING",
            ["content"] = "",
            ["tags"] = "[\"vip\", 3",
            ["attachments"] = "{\"files\": [}",
        };

        var invalid = await writer.CreateAsync(notes, values, "Customer called", support, AdminActor, Ct);
        Assert.Equal(WriteStatus.Invalid, invalid.Status);
        Assert.Contains("uuid", invalid.FieldErrors["admin_user_id"], StringComparison.Ordinal);
        Assert.Contains("CUSTOMER_INQUIRY", invalid.FieldErrors["note_type"], StringComparison.Ordinal);
        Assert.Equal("Required.", invalid.FieldErrors["content"]);
        Assert.True(invalid.FieldErrors.ContainsKey("tags"));
        Assert.StartsWith("Not valid JSON", invalid.FieldErrors["attachments"], StringComparison.Ordinal);
        Assert.Equal("SHOUTING", values["note_type"]);

        values["admin_user_id"] = Guid.NewGuid().ToString();
        values["note_type"] = "CUSTOMER_INQUIRY";
        values["content"] = "Customer asked about the refund window.";
        values["tags"] = "[\"refund\", \"phone\"]";
        values["attachments"] = "{\"files\": []}";
        values["is_flagged"] = "true";
        var saved = await writer.CreateAsync(notes, values, "Customer called", support, AdminActor, Ct);

        Assert.Equal(WriteStatus.Saved, saved.Status);
        Assert.Equal(1L, await fixture.ScalarAsync<long>($"""
            SELECT count(*) FROM public.order_notes WHERE id = '{saved.Key}' AND tenant_id = '{tenant}' AND order_id = '{order}'
              AND note_type = 'CUSTOMER_INQUIRY' AND tags = ARRAY['refund','phone'] AND attachments = jsonb_build_object('files', jsonb_build_array()) AND is_flagged
            """));
        Assert.Equal(1L, await fixture.ScalarAsync<long>(
            $"SELECT count(*) FROM portal.audit_log WHERE action = '{ExplorerWriter.CreateAction}' AND record_key = '{saved.Key}' AND before IS NULL AND tenant_id = '{tenant}'"));
        Assert.False(ExplorerWritePolicy.Allows(support, notes, ExplorerAction.HardDelete));
        Assert.False(ExplorerWritePolicy.Allows(support, fixture.Table("order", "orders"), ExplorerAction.Update));
    }

    [Fact]
    public async Task Pages_offer_only_the_writes_a_role_may_make_and_an_edit_url_for_another_venues_row_finds_nothing()
    {
        var (_, mine, tenant) = await VenueManagerAsync();
        var list = string.Join(",", mine.Select(v => $"'{v}'"));
        var ownEvent = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.events WHERE venue_id IN ({list}) ORDER BY id LIMIT 1");
        var otherEvent = await fixture.ScalarAsync<Guid>($"SELECT id FROM public.events WHERE venue_id NOT IN ({list}) ORDER BY id LIMIT 1");

        using var venue = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(venue, "venue@demo.local", DemoAccounts.Password);
        var own = await venue.GetStringAsync($"/explorer/event/events/{ownEvent}");
        Assert.Contains("data-test=\"edit\"", own, StringComparison.Ordinal);
        Assert.Contains("data-test=\"soft-delete\"", own, StringComparison.Ordinal);
        Assert.DoesNotContain("data-test=\"hard-delete\"", own, StringComparison.Ordinal);
        var ownEdit = await venue.GetStringAsync($"/explorer/event/events/{ownEvent}/edit");
        Assert.Contains("data-test=\"edit-form\"", ownEdit, StringComparison.Ordinal);
        Assert.Contains("data-test=\"new-row\"", await venue.GetStringAsync("/explorer/event/events"), StringComparison.Ordinal);

        var otherEdit = await venue.GetStringAsync($"/explorer/event/events/{otherEvent}/edit");
        Assert.Contains("data-test=\"record-not-found\"", otherEdit, StringComparison.Ordinal);
        Assert.DoesNotContain("data-test=\"edit-form\"", otherEdit, StringComparison.Ordinal);

        using var support = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(support, "support@demo.local", DemoAccounts.Password);
        var eventPage = await support.GetStringAsync($"/explorer/event/events/{ownEvent}");
        Assert.Contains("data-test=\"record-fields\"", eventPage, StringComparison.Ordinal);
        Assert.DoesNotContain("data-test=\"edit\"", eventPage, StringComparison.Ordinal);
        Assert.Contains("data-test=\"explorer-denied\"", await support.GetStringAsync($"/explorer/event/events/{ownEvent}/edit"), StringComparison.Ordinal);
        Assert.Contains("data-test=\"new-row\"", await support.GetStringAsync("/explorer/order/order_notes"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-test=\"new-row\"", await support.GetStringAsync("/explorer/order/orders"), StringComparison.Ordinal);
        Assert.NotEqual(Guid.Empty, tenant);
    }

    private static async Task<WriteStatus> Record(Func<Task<ExplorerWriteResult>> write)
    {
        try
        {
            return (await write()).Status;
        }
        catch (ExplorerAccessDeniedException)
        {
            return WriteStatus.NotFound;
        }
    }

    private async Task<(Guid Manager, List<Guid> Venues, Guid Tenant)> VenueManagerAsync()
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var portal = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await portal.CreateDbContextAsync(Ct);
        var manager = await db.Users.SingleAsync(u => u.Email == "venue@demo.local", Ct);
        var links = await db.UserVenues.Where(v => v.UserId == manager.Id).OrderBy(v => v.TenantId).ToListAsync(Ct);
        return (manager.Id, links.Where(l => l.TenantId == links[0].TenantId).Select(l => l.VenueId).ToList(), links[0].TenantId);
    }

    private Task<long> AuditCountAsync(Guid key) =>
        fixture.ScalarAsync<long>($"SELECT count(*) FROM portal.audit_log WHERE record_key = '{key}' AND action LIKE 'explorer.%'");

    private async Task AdminSqlAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ConnectionStringFor(fixture.App.DatabaseName));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>The writer as the given user would get it (their name on the recorded reads).</summary>
    private ExplorerWriter Writer(ClaimsPrincipal user) => fixture.Writer(user);
}
