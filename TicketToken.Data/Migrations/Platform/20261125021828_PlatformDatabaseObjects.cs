using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TicketToken.Data.Migrations.Platform
{
    /// <inheritdoc />
    public partial class PlatformDatabaseObjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Generated from catalog.json by TicketToken.Data/Codegen/generate_model.py: the updated_at trigger
            // function and triggers, UNIQUE constraints kept out of the EF model, expression indexes,
            // row-level security and its policies.
            migrationBuilder.Sql(PlatformDatabaseObjectsSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(PlatformDatabaseObjectsSql.Down);
        }
    }
}
