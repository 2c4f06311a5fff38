using System.Globalization;
using TicketToken.Data;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data;

/// <summary>A fresh install (the platform migrations on an empty database) against catalog.json, aspect by aspect.</summary>
public sealed class PlatformSchemaComparisonTests
{
    [Fact]
    public async Task Fresh_install_matches_the_platform_catalog()
    {
        var database = await TemplateDatabase.CreateDatabaseAsync("tt_schema");
        try
        {
            var expected = SchemaFacts.FromCatalog(SchemaFacts.CatalogPath());
            var actual = await SchemaFacts.FromDatabaseAsync(
                TestDatabase.ConnectionStringFor(database), [PlatformDbContext.MigrationsHistoryTable]);

            var differences = expected.Compare(actual);
            var allowed = AllowedSchemaDifferences.Load();
            var unexplained = differences.Where(d => !allowed.Allows(d)).ToList();
            var stale = allowed.Entries.Where(e => !differences.Any(e.Matches)).ToList();

            var output = TestContext.Current.TestOutputHelper;
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{expected.Count} catalog facts, {actual.Count} database facts, {differences.Count} differences ({differences.Count - unexplained.Count} allowed)."));
            if (TemplateDatabase.MigrationDuration is { } took)
            {
                output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Migrating the template took {took.TotalSeconds:F1} s."));
            }

            var message = "";
            if (unexplained.Count > 0)
            {
                message += $"{unexplained.Count} differences from catalog.json that {AllowedSchemaDifferences.FilePath()} does not allow:\n"
                    + SchemaFacts.Describe(unexplained);
            }

            if (stale.Count > 0)
            {
                message += $"\n{stale.Count} allowed differences no longer occur; remove them:\n"
                    + string.Join("\n", stale.Select(s => $"  {s.Aspect} {s.Object} ({s.Kind})"));
            }

            Assert.True(message.Length == 0, message);
            Assert.Equal(346, actual.Facts.Count(f => f.Aspect == "table"));
        }
        finally
        {
            await TemplateDatabase.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public void Every_allowed_difference_gives_its_reason()
    {
        var allowed = AllowedSchemaDifferences.Load();
        var kinds = new[] { "missing", "unexpected", "differs" };
        Assert.All(allowed.Entries, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Reason), $"{e.Aspect} {e.Object} has no reason");
            Assert.Contains(e.Kind, kinds);
        });
    }
}
