using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TicketToken.Data.Migrations.Portal
{
    /// <inheritdoc />
    public partial class SeedRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "seed_runs",
                schema: "portal",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    seed = table.Column<int>(type: "integer", nullable: false),
                    scale = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    tables = table.Column<string[]>(type: "text[]", nullable: false),
                    restore_sql = table.Column<string[]>(type: "text[]", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_seed_runs", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_seed_runs_state",
                schema: "portal",
                table: "seed_runs",
                column: "state");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "seed_runs",
                schema: "portal");
        }
    }
}
