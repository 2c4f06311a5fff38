using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using TicketToken.CompiledModels;
using TicketToken.Data;
using TicketToken.Tests.Infrastructure;
using Xunit;

namespace TicketToken.Tests.Data;

/// <summary>
/// The portal runs on the compiled model in <c>TicketToken.Data/CompiledModels</c> (built by
/// <c>dotnet ef dbcontext optimize</c>), not on the model that <c>OnModelCreating</c> builds: these tests fail when the
/// two differ in anything the compiled model carries, i.e. when the model changed and the compiled model was not
/// regenerated.
/// </summary>
public sealed class CompiledModelTests
{
    private const string Regenerate =
        "the compiled model in TicketToken.Data/CompiledModels is stale: regenerate it with 'dotnet ef dbcontext optimize' " +
        "as TicketToken.Data/Codegen/README.md says";

    private static PlatformDbContext OfflineContext() =>
        new(TemplateDatabase.ContextOptions("Host=127.0.0.1;Database=offline_model_check"));

    /// <summary>On the compiled model whatever TT_EF_COMPILED_MODEL says, so that staleness is checked in any case.</summary>
    private static PlatformDbContext CompiledContext()
    {
        var builder = new DbContextOptionsBuilder<PlatformDbContext>(TemplateDatabase.ContextOptions("Host=127.0.0.1;Database=offline_model_check"));
        builder.UseModel(PlatformDbContextModel.Instance);
        return new PlatformDbContext(builder.Options);
    }

    [Fact]
    public void The_platform_context_runs_on_the_compiled_model()
    {
        using var db = OfflineContext();
        Assert.True(db.Model is PlatformDbContextModel,
            $"ConfigurePlatform should use the compiled model, but the context's model is a {db.Model.GetType().Name} (is TT_EF_COMPILED_MODEL=0 set?).");
    }

    [Fact]
    public void EF_does_not_pick_up_the_compiled_model_by_itself()
    {
        // With the attribute, EF uses the compiled model even when ConfigurePlatform does not, and TT_EF_COMPILED_MODEL=0
        // (the startup benchmark's "runtime" variant) could not turn it off.
        Assert.True(
            !typeof(PlatformDbContext).Assembly.GetCustomAttributes<DbContextModelAttribute>().Any(),
            "Delete TicketToken.Data/CompiledModels/PlatformDbContextAssemblyAttributes.cs after 'dotnet ef dbcontext optimize' (see TicketToken.Data/Codegen/README.md).");
    }

    [Fact]
    public void Compiled_model_matches_the_model_built_from_OnModelCreating()
    {
        using var db = CompiledContext();
        var compiled = db.Model;
        Assert.IsType<PlatformDbContextModel>(compiled);
        // The design-time model is always built from OnModelCreating (migrations use it), compiled model or not.
        var built = db.GetService<IDesignTimeModel>().Model;
        Assert.IsNotType<PlatformDbContextModel>(built);

        var expected = Describe(built);
        var actual = Describe(compiled);
        var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
        var extra = actual.Except(expected, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{Regenerate}.{Environment.NewLine}" +
            $"In the model but not in the compiled model ({missing.Count}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", missing.Take(25))}{Environment.NewLine}" +
            $"In the compiled model but not in the model ({extra.Count}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", extra.Take(25))}");
    }

    [Fact]
    public void Compiled_model_has_every_table_column_key_and_index()
    {
        using var db = CompiledContext();
        var built = db.GetService<IDesignTimeModel>().Model;
        Assert.Equal(Counts(built), Counts(db.Model));
        Assert.Equal(346, db.Model.GetEntityTypes().Count());
    }

    private static (int EntityTypes, int Properties, int Keys, int ForeignKeys, int Indexes, int Navigations) Counts(IModel model)
    {
        var types = model.GetEntityTypes().ToList();
        return (types.Count,
            types.Sum(t => t.GetDeclaredProperties().Count()),
            types.Sum(t => t.GetDeclaredKeys().Count()),
            types.Sum(t => t.GetDeclaredForeignKeys().Count()),
            types.Sum(t => t.GetDeclaredIndexes().Count()),
            types.Sum(t => t.GetDeclaredNavigations().Count() + t.GetDeclaredSkipNavigations().Count()));
    }

    /// <summary>One line per fact that the compiled model carries and the portal relies on at run time.</summary>
    private static List<string> Describe(IModel model)
    {
        var lines = new List<string> { $"model schema={model.GetDefaultSchema()}" };
        foreach (var type in model.GetEntityTypes().OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var e = type.Name;
            lines.Add($"entity {e} clr={type.ClrType.FullName} base={type.BaseType?.Name} table={type.GetSchema()}.{type.GetTableName()} " +
                $"view={type.GetViewName()} sql={type.GetSqlQuery()} function={type.GetFunctionName()} filters={string.Join(";", type.GetDeclaredQueryFilters().Select(f => $"{f.Key}:{f.Expression}"))} " +
                $"owned={type.IsOwned()} tracking={type.GetChangeTrackingStrategy()}");
            var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
            foreach (var p in type.GetDeclaredProperties())
            {
                lines.Add($"property {e}.{p.Name} clr={p.ClrType} column={p.GetColumnName(table)} type={p.GetColumnType()} " +
                    $"nullable={p.IsNullable} generated={p.ValueGenerated} concurrency={p.IsConcurrencyToken} " +
                    $"default={p.GetDefaultValueSql()} computed={p.GetComputedColumnSql()} stored={p.GetIsStored()} " +
                    $"maxlength={p.GetMaxLength()} precision={p.GetPrecision()} scale={p.GetScale()} unicode={p.IsUnicode()} " +
                    $"provider={p.GetProviderClrType()} converter={p.GetValueConverter()?.GetType()} " +
                    $"sentinel={Sentinel(p)} " +
                    $"strategy={p.GetValueGenerationStrategy()} access={p.GetPropertyAccessMode()} " +
                    $"member={p.PropertyInfo?.Name}/{p.FieldInfo?.Name} shadow={p.IsShadowProperty()}");
            }

            foreach (var k in type.GetDeclaredKeys())
            {
                lines.Add($"key {e} [{Names(k.Properties)}] name={k.GetName()} primary={k.IsPrimaryKey()}");
            }

            foreach (var fk in type.GetDeclaredForeignKeys())
            {
                lines.Add($"fk {e} [{Names(fk.Properties)}] -> {fk.PrincipalEntityType.Name} [{Names(fk.PrincipalKey.Properties)}] " +
                    $"name={fk.GetConstraintName()} delete={fk.DeleteBehavior} required={fk.IsRequired} unique={fk.IsUnique} " +
                    $"nav={fk.DependentToPrincipal?.Name}/{fk.PrincipalToDependent?.Name}");
            }

            foreach (var n in type.GetDeclaredNavigations())
            {
                lines.Add($"navigation {e}.{n.Name} target={n.TargetEntityType.Name} collection={n.IsCollection} " +
                    $"eager={n.IsEagerLoaded} field={n.FieldInfo?.Name} access={n.GetPropertyAccessMode()}");
            }

            foreach (var i in type.GetDeclaredIndexes())
            {
                lines.Add($"index {e} {i.GetDatabaseName()} [{Names(i.Properties)}] unique={i.IsUnique} filter={i.GetFilter()}");
            }
        }

        foreach (var s in model.GetSequences())
        {
            lines.Add($"sequence {s.Schema}.{s.Name} type={s.Type} start={s.StartValue} increment={s.IncrementBy}");
        }

        return lines;
    }

    /// <summary>
    /// The sentinel (the value that means "not set"). A compiled model stores it as a provider value and cannot carry one
    /// whose provider value is null (<c>default(ComparableIPAddress)</c> → null <c>inet</c>): both count as "provider null".
    /// </summary>
    private static string Sentinel(IReadOnlyProperty p)
    {
        var converter = p.GetValueConverter();
        if (converter is not null && (p.Sentinel is null || converter.ConvertToProvider(p.Sentinel) is null))
        {
            return "(provider null)";
        }

        return p.Sentinel is null ? "(null)" : $"{p.Sentinel.GetType().Name}:{Convert.ToString(p.Sentinel, CultureInfo.InvariantCulture)}";
    }

    private static string Names(IEnumerable<IReadOnlyProperty> properties) => string.Join(",", properties.Select(p => p.Name));
}
