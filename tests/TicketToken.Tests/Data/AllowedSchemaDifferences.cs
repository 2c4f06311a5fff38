using System.Text.Json;

namespace TicketToken.Tests.Data;

/// <summary>TicketToken.Data/Codegen/allowed-schema-differences.json: differences from the catalog that are accepted, each with its reason.</summary>
public sealed class AllowedSchemaDifferences
{
    public sealed record Entry(string Aspect, string Object, string Kind, string Reason)
    {
        public bool Matches(SchemaDifference difference) =>
            difference is not null
            && string.Equals(difference.Aspect, Aspect, StringComparison.Ordinal)
            && string.Equals(difference.Object, Object, StringComparison.Ordinal)
            && string.Equals(difference.Kind, Kind, StringComparison.Ordinal);
    }

    public required IReadOnlyList<Entry> Entries { get; init; }

    public static string FilePath() =>
        Path.Combine(Path.GetDirectoryName(SchemaFacts.CatalogPath())!, "allowed-schema-differences.json");

    public static AllowedSchemaDifferences Load()
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(FilePath()));
        var entries = doc.RootElement.GetProperty("differences").EnumerateArray()
            .Select(e => new Entry(
                e.GetProperty("aspect").GetString()!,
                e.GetProperty("object").GetString()!,
                e.GetProperty("kind").GetString()!,
                e.GetProperty("reason").GetString() ?? ""))
            .ToList();
        return new AllowedSchemaDifferences { Entries = entries };
    }

    public bool Allows(SchemaDifference difference) => Entries.Any(e => e.Matches(difference));
}
