namespace TicketToken.Tests.Infrastructure;

/// <summary>A test class with its own copy of the migrated template database, made before its tests and dropped after.</summary>
public abstract class TemplateDatabaseTest(string prefix) : IAsyncLifetime
{
    protected string Database { get; private set; } = "";

    public async ValueTask InitializeAsync() => Database = await TemplateDatabase.CreateDatabaseAsync(prefix);

    public async ValueTask DisposeAsync()
    {
        await TemplateDatabase.DropDatabaseAsync(Database);
        GC.SuppressFinalize(this);
    }
}
