using TicketToken.Data.Seeding;
using Xunit;

namespace TicketToken.Tests.Data.Seeding;

/// <summary>Which stream-loaded tables a statement of the main transaction must wait for.</summary>
public sealed class ParallelLoadTests
{
    private static readonly string[] Bulk = ["orders", "refunds", "payment_refunds", "payment_transactions", "tickets"];

    [Fact]
    public void A_statement_waits_for_the_tables_it_names_and_not_for_words_in_its_literals_or_comments()
    {
        const string sql = """
            INSERT INTO risk_flags (reason) -- tickets are not read here
            SELECT 'refunds' FROM payment_transactions p
            JOIN public.orders o ON o.id = p.order_id /* nor tickets */
            WHERE p.note <> 'it''s orders'
            """;

        Assert.Equal(["orders", "payment_transactions"], ParallelLoad.TablesNamedIn(sql, Bulk));
    }

    [Fact]
    public void A_table_name_inside_a_longer_name_or_quoted_counts_only_as_a_whole_word()
    {
        Assert.Equal(["payment_refunds"], ParallelLoad.TablesNamedIn("SELECT sum(amount) FROM payment_refunds", Bulk));
        Assert.Equal(["refunds", "tickets"], ParallelLoad.TablesNamedIn("""SELECT 1 FROM "refunds" r JOIN tickets t ON true""", Bulk));
        Assert.Empty(ParallelLoad.TablesNamedIn("SELECT 1 FROM ticket_types, order_refunds_view", Bulk));
    }
}
