using System.Net;
using System.Security.Claims;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Data.Portal;
using TicketToken.Data.Tenancy;
using TicketToken.Portal.Explorer;
using TicketToken.Portal.Security;
using TicketToken.Tests.Infrastructure;

namespace TicketToken.Tests.Explorer;

[Collection(ViewsAndExportsCollection.Name)]
public sealed class ExplorerExportTests(SeededExplorerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_whole_filtered_set_is_exported_not_just_the_page_and_the_request_is_audited()
    {
        var support = await fixture.UserAsync("support@demo.local");
        var status = await fixture.ScalarAsync<string>("SELECT status FROM public.orders GROUP BY status ORDER BY count(*) DESC LIMIT 1");
        var expected = await fixture.ListAsync<Guid>($"SELECT id FROM public.orders WHERE status = '{status}'");
        var all = await fixture.ScalarAsync<long>("SELECT count(*) FROM public.orders");
        Assert.InRange(expected.Count, ExplorerExportJob.BatchSize + 1, all - 1);

        var query = $"?f.status=eq:{status}&sort=created_at.desc&page=3&size=25&cols=id,order_number,status,total_cents";
        var (export, bytes) = await ExportAsync(support, "order", "orders", query, ExportFormats.Csv);

        Assert.Equal(ExplorerExportStatus.Completed, export.Status);
        var rows = Csv(bytes);
        Assert.Equal(["id", "order_number", "status", "total_cents"], rows[0]);
        var ids = rows.Skip(1).Select(r => Guid.Parse(r[0])).ToList();
        Assert.Equal(expected.Count, ids.Count);
        Assert.Equal(expected.Order(), ids.Order());
        Assert.All(rows.Skip(1), r => Assert.Equal(status, r[2]));
        Assert.Equal(expected.Count, export.RowsDone);
        Assert.Equal(expected.Count, export.EstimatedTotal);

        // Sorted like the grid: newest first.
        var newestFirst = await fixture.ListAsync<Guid>($"SELECT id FROM public.orders WHERE status = '{status}' ORDER BY created_at DESC NULLS FIRST, id DESC LIMIT 5");
        Assert.Equal(newestFirst, ids.Take(5));

        var audit = await fixture.ScalarAsync<string>(
            $"SELECT user_name || '|' || table_name || '|' || after::text FROM portal.audit_log WHERE action = 'explorer.export' AND record_key = '{export.Id}'");
        Assert.StartsWith("support@demo.local|orders|", audit, StringComparison.Ordinal);
        Assert.Contains($"\"value\": \"{status}\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"format\": \"csv\"", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Masked_columns_are_not_exported_at_all()
    {
        const string secret = "$argon2id$EXPORT-SECRET-HASH";
        var userId = await fixture.ScalarAsync<Guid>("SELECT id FROM public.users ORDER BY id LIMIT 1");
        await fixture.ExecuteAsync($"UPDATE public.users SET password_hash = @s WHERE id = '{userId}'", ("s", secret));
        var admin = await fixture.UserAsync("admin@demo.local");

        // Asked for explicitly in the columns, and in the default (all columns) export.
        foreach (var query in new[] { $"?f.id=eq:{userId}&cols=id,email,password_hash", $"?f.id=eq:{userId}" })
        {
            foreach (var format in ExportFormats.All)
            {
                var (export, bytes) = await ExportAsync(admin, "auth", "users", query, format);
                Assert.Equal(ExplorerExportStatus.Completed, export.Status);
                var rows = format == ExportFormats.Csv ? Csv(bytes) : Xlsx(bytes);
                Assert.Equal(2, rows.Count);
                Assert.Contains("email", rows[0]);
                Assert.DoesNotContain("password_hash", rows[0]);
                Assert.DoesNotContain(rows[1], v => v.Contains("EXPORT-SECRET", StringComparison.Ordinal));
                Assert.DoesNotContain(rows[1], v => v == ExplorerFormat.MaskText);
            }
        }
    }

    [Fact]
    public async Task Values_a_spreadsheet_would_run_are_neutralised_in_csv_and_xlsx()
    {
        var orderId = await fixture.ScalarAsync<Guid>("SELECT id FROM public.orders ORDER BY id LIMIT 1 OFFSET 3");
        await fixture.ExecuteAsync(
            $"UPDATE public.orders SET dispute_reason = @a, payment_intent_id = @b, idempotency_key = @c, dispute_id = @d, dispute_status = @e, dispute_outcome = @f WHERE id = '{orderId}'",
            ("a", "=HYPERLINK(\"http://evil.example\",\"x\")"), ("b", "+1+cmd|' /C calc'!A0"), ("c", "@SUM(1,2)"), ("d", "-2+3"), ("e", "\tTAB"), ("f", "-12.50"));
        var admin = await fixture.UserAsync("admin@demo.local");
        var query = $"?f.id=eq:{orderId}&cols=id,dispute_reason,payment_intent_id,idempotency_key,dispute_id,dispute_status,dispute_outcome";

        var (_, csvBytes) = await ExportAsync(admin, "order", "orders", query, ExportFormats.Csv);
        var (_, xlsxBytes) = await ExportAsync(admin, "order", "orders", query, ExportFormats.Xlsx);
        Assert.Equal([0xEF, 0xBB, 0xBF], csvBytes[..3]);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", Encoding.UTF8.GetString(csvBytes), StringComparison.Ordinal);

        foreach (var rows in new[] { Csv(csvBytes), Xlsx(xlsxBytes) })
        {
            var row = rows[0].Zip(rows[1]).ToDictionary(p => p.First, p => p.Second);
            Assert.Equal("'=HYPERLINK(\"http://evil.example\",\"x\")", row["dispute_reason"]);
            Assert.Equal("'+1+cmd|' /C calc'!A0", row["payment_intent_id"]);
            Assert.Equal("'@SUM(1,2)", row["idempotency_key"]);
            Assert.Equal("'-2+3", row["dispute_id"]);
            Assert.Equal("'\tTAB", row["dispute_status"]);
            // A plain negative number cannot run: it is left as it is.
            Assert.Equal("-12.50", row["dispute_outcome"]);
        }
    }

    [Fact]
    public async Task A_venue_managers_export_contains_only_their_venues_rows()
    {
        var venue = await fixture.UserAsync("venue@demo.local");
        var userId = venue.FindFirstValue(ClaimTypes.NameIdentifier);
        var expected = await fixture.ListAsync<Guid>(
            $"SELECT o.id FROM public.orders o JOIN public.events e ON e.id = o.event_id WHERE e.venue_id IN (SELECT venue_id FROM portal.user_venues WHERE user_id = '{userId}')");
        var all = await fixture.ScalarAsync<long>("SELECT count(*) FROM public.orders");
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < all);

        var (export, bytes) = await ExportAsync(venue, "order", "orders", "?cols=id,event_id", ExportFormats.Xlsx);

        Assert.Equal(ExplorerExportStatus.Completed, export.Status);
        var ids = Xlsx(bytes).Skip(1).Select(r => Guid.Parse(r[0])).ToList();
        Assert.Equal(expected.Order(), ids.Order());

        // And a table outside their reach is refused before anything is queued.
        var refused = await Exports().RequestAsync(fixture.Table("payment", "payment_transactions"), GridState.Parse(""), ExportFormats.Csv, venue, Actor(venue), Ct);
        Assert.Contains("don't include reading", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_requester_and_administrators_may_download()
    {
        var support = await fixture.UserAsync("support@demo.local");
        var (export, bytes) = await ExportAsync(support, "order", "orders", "?f.status=eq:PENDING&cols=id,status", ExportFormats.Csv);

        using var requester = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(requester, "support@demo.local", DemoAccounts.Password);
        using var admin = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(admin, "admin@demo.local", DemoAccounts.Password, DemoAccounts.TotpSecret);
        using var other = fixture.App.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(other, "venue@demo.local", DemoAccounts.Password);
        using var anonymous = fixture.App.CreateBrowserLikeClient();
        var url = $"/explorer/exports/{export.Id}/download";

        var mine = await requester.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal("text/csv", mine.Content.Headers.ContentType!.MediaType);
        Assert.Equal(export.FileName, mine.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        Assert.Equal(bytes, await mine.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(bytes, await admin.GetByteArrayAsync(url, Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url, Ct)).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync(url, Ct)).StatusCode);

        // Expired: gone for everyone, and the cleanup job deletes it with its file.
        await fixture.ExecuteAsync($"UPDATE portal.explorer_exports SET expires_at = now() - interval '1 minute' WHERE id = '{export.Id}'");
        Assert.Equal(HttpStatusCode.NotFound, (await requester.GetAsync(url, Ct)).StatusCode);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        Assert.True(await ActivatorUtilities.CreateInstance<ExplorerExportCleanupJob>(scope.ServiceProvider).RunAsync(Ct) >= 1);
        Assert.Equal(0, await fixture.ScalarAsync<long>($"SELECT count(*) FROM portal.explorer_export_chunks WHERE export_id = '{export.Id}'"));
    }

    /// <summary>Requests an export as the portal does, runs the queued job in place, and returns the row and the stored file.</summary>
    [Fact]
    public async Task Xlsx_writes_amounts_numbers_timestamps_and_yes_no_as_typed_cells_while_csv_keeps_the_grid_text()
    {
        var admin = await fixture.UserAsync("admin@demo.local");
        var id = await fixture.ScalarAsync<Guid>("SELECT id FROM public.orders WHERE total_cents > 0 AND ticket_quantity > 0 ORDER BY id LIMIT 1");
        var totalCents = await fixture.ScalarAsync<long>($"SELECT total_cents::bigint FROM public.orders WHERE id = '{id}'");
        var quantity = await fixture.ScalarAsync<int>($"SELECT ticket_quantity FROM public.orders WHERE id = '{id}'");
        var created = await fixture.ScalarAsync<DateTime>($"SELECT created_at FROM public.orders WHERE id = '{id}'");
        var dispute = await fixture.ScalarAsync<bool>($"SELECT has_dispute FROM public.orders WHERE id = '{id}'");
        var query = $"?f.id=eq:{id}&cols=id,order_number,total_cents,ticket_quantity,has_dispute,created_at";

        var (_, xlsx) = await ExportAsync(admin, "order", "orders", query, ExportFormats.Xlsx);
        var cells = TypedCells(xlsx);
        Assert.Equal(["id", "order_number", "total_cents", "ticket_quantity", "has_dispute", "created_at"], cells[0].Select(c => c.Text));
        var row = cells[1];

        Assert.Equal("s", row[1].Type); // text stays text
        Assert.Equal("n", row[2].Type);
        Assert.Equal(totalCents / 100m, decimal.Parse(row[2].Text, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("#,##0.00", row[2].Format);
        Assert.Equal("n", row[3].Type);
        Assert.Equal(quantity, int.Parse(row[3].Text, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("b", row[4].Type);
        Assert.Equal(dispute ? "1" : "0", row[4].Text);
        Assert.Equal("n", row[5].Type);
        Assert.Equal("yyyy-mm-dd hh:mm:ss", row[5].Format);
        var instant = DateTime.FromOADate(double.Parse(row[5].Text, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange((instant - DateTime.SpecifyKind(created, DateTimeKind.Unspecified)).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));

        // CSV is the grid's text: the amount as currency, yes/no.
        var (_, csv) = await ExportAsync(admin, "order", "orders", query, ExportFormats.Csv);
        var text = Csv(csv)[1];
        Assert.Equal((totalCents / 100m).ToString("C", System.Globalization.CultureInfo.GetCultureInfo("en-US")), text[2]);
        Assert.Equal(dispute ? "yes" : "no", text[4]);
    }

    /// <summary>Each cell of the first worksheet as (text, type: s text, n number, b boolean; custom number format).</summary>
    private static List<List<(string Text, string Type, string? Format)>> TypedCells(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart!;
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
        var stylesheet = workbook.WorkbookStylesPart?.Stylesheet;
        var formats = stylesheet?.NumberingFormats?.Elements<NumberingFormat>().ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode!.Value) ?? [];
        var cellFormats = stylesheet?.CellFormats?.Elements<CellFormat>().ToList() ?? [];
        var rows = new List<List<(string, string, string?)>>();
        foreach (var row in workbook.WorksheetParts.First().Worksheet.Descendants<Row>())
        {
            var values = new List<(string, string, string?)>();
            foreach (var cell in row.Elements<Cell>())
            {
                Assert.Null(cell.CellFormula);
                var type = cell.DataType?.Value;
                var (text, kind) = type == CellValues.InlineString ? (cell.InlineString!.InnerText, "s")
                    : type == CellValues.SharedString ? (shared[int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)], "s")
                    : type == CellValues.String ? (cell.CellValue?.Text ?? "", "s")
                    : type == CellValues.Boolean ? (cell.CellValue!.Text, "b")
                    : (cell.CellValue?.Text ?? "", "n");
                string? format = null;
                if (cell.StyleIndex?.Value is { } style && style < cellFormats.Count && cellFormats[(int)style].NumberFormatId?.Value is { } formatId)
                {
                    format = formats.GetValueOrDefault(formatId);
                }

                values.Add((text, kind, format));
            }

            rows.Add(values);
        }

        return rows;
    }

    private async Task<(ExplorerExport Export, byte[] Bytes)> ExportAsync(ClaimsPrincipal user, string service, string table, string query, string format)
    {
        var requested = await Exports().RequestAsync(fixture.Table(service, table), GridState.Parse(query), format, user, Actor(user), Ct);
        Assert.True(requested.Error is null, requested.Error);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<ExplorerExportJob>(scope.ServiceProvider).RunAsync(requested.Export!.Id, Ct);

        var portal = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await portal.CreateDbContextAsync(Ct);
        var export = await db.Exports.AsNoTracking().SingleAsync(e => e.Id == requested.Export.Id, Ct);
        Assert.True(export.Status == ExplorerExportStatus.Completed, export.Error);
        using var file = new MemoryStream();
        await scope.ServiceProvider.GetRequiredService<ExplorerExports>().CopyToAsync(export.Id, file, Ct);
        Assert.Equal(export.SizeBytes, file.Length);
        return (export, file.ToArray());
    }

    private ExplorerExports Exports() => fixture.App.Services.CreateScope().ServiceProvider.GetRequiredService<ExplorerExports>();

    private static PortalActorInfo Actor(ClaimsPrincipal user) =>
        new(Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!), user.Identity!.Name!, "127.0.0.1");

    /// <summary>An RFC 4180 reader: quoted fields, doubled quotes, CRLF between records.</summary>
    internal static List<List<string>> Csv(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }

    /// <summary>Reads the first worksheet with the Open XML SDK; fails if any cell is a formula.</summary>
    internal static List<List<string>> Xlsx(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart!;
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
        var sheet = workbook.WorksheetParts.First().Worksheet;
        var rows = new List<List<string>>();
        foreach (var row in sheet.Descendants<Row>())
        {
            var values = new List<string>();
            foreach (var cell in row.Elements<Cell>())
            {
                Assert.Null(cell.CellFormula);
                var text = cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.InnerText
                    : cell.DataType?.Value == CellValues.SharedString ? shared[int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)]
                    : cell.CellValue?.Text ?? "";
                // Empty cells may be left out: place each value by its reference (A1, B1, ...).
                var column = cell.CellReference?.Value is { } reference
                    ? reference.TakeWhile(char.IsAsciiLetter).Aggregate(0, (n, ch) => (n * 26) + (char.ToUpperInvariant(ch) - 'A' + 1)) - 1
                    : values.Count;
                while (values.Count < column)
                {
                    values.Add("");
                }

                values.Add(text);
            }

            rows.Add(values);
        }

        return rows;
    }
}
