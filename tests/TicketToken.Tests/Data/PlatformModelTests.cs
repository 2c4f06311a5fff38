using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TicketToken.Data;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data;

public sealed class PlatformModelTests
{
    private static PlatformDbContext OfflineContext() =>
        new(TemplateDatabase.ContextOptions("Host=127.0.0.1;Database=offline_model_check"));

    [Fact]
    public void Migrations_have_no_pending_model_changes()
    {
        using var db = OfflineContext();
        Assert.False(db.Database.HasPendingModelChanges(),
            "The model differs from PlatformDbContextModelSnapshot: regenerate and add a migration (see TicketToken.Data/Codegen/README.md).");
    }

    [Fact]
    public void Model_maps_every_catalog_table_and_foreign_key()
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(SchemaFacts.CatalogPath()));
        var tables = doc.RootElement.GetProperty("tables").EnumerateArray().ToList();
        using var db = OfflineContext();
        var entityTypes = db.Model.GetEntityTypes().ToList();

        Assert.Equal(
            tables.Select(t => t.GetProperty("table").GetString()).Order(StringComparer.Ordinal),
            entityTypes.Select(e => e.GetTableName()).Order(StringComparer.Ordinal));
        Assert.Equal(
            tables.Sum(t => t.GetProperty("foreign_keys").GetArrayLength()),
            entityTypes.Sum(e => e.GetForeignKeys().Count()));
        Assert.All(entityTypes.SelectMany(e => e.GetForeignKeys()), fk =>
            Assert.True(fk.DependentToPrincipal is not null && fk.PrincipalToDependent is not null, $"{fk} lacks a navigation"));
    }

    [Fact]
    public async Task Fresh_install_has_applied_every_migration()
    {
        var database = await TemplateDatabase.CreateDatabaseAsync("tt_model");
        try
        {
            await using var db = new PlatformDbContext(TemplateDatabase.ContextOptions(TestDatabase.ConnectionStringFor(database)));
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            await TemplateDatabase.DropDatabaseAsync(database);
        }
    }
}
