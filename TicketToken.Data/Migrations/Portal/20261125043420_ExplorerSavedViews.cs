using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TicketToken.Data.Migrations.Portal
{
    /// <inheritdoc />
    public partial class ExplorerSavedViews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "explorer_exports",
                schema: "portal",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    requested_by = table.Column<Guid>(type: "uuid", nullable: false),
                    requested_by_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    service = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    table_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    query = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    format = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    rows_done = table.Column<long>(type: "bigint", nullable: false),
                    estimated_total = table.Column<long>(type: "bigint", nullable: true),
                    file_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    job_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_explorer_exports", x => x.id);
                    table.ForeignKey(
                        name: "fk_explorer_exports_asp_net_users_requested_by",
                        column: x => x.requested_by,
                        principalSchema: "portal",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "explorer_saved_views",
                schema: "portal",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    service = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    table_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    query = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    shared_with_role = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_explorer_saved_views", x => x.id);
                    table.CheckConstraint("ck_explorer_saved_views_name_not_blank", "btrim(name) <> ''");
                    table.ForeignKey(
                        name: "fk_explorer_saved_views_asp_net_users_owner_id",
                        column: x => x.owner_id,
                        principalSchema: "portal",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "explorer_export_chunks",
                schema: "portal",
                columns: table => new
                {
                    export_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_explorer_export_chunks", x => new { x.export_id, x.sequence });
                    table.ForeignKey(
                        name: "fk_explorer_export_chunks_exports_export_id",
                        column: x => x.export_id,
                        principalSchema: "portal",
                        principalTable: "explorer_exports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_explorer_exports_expires_at",
                schema: "portal",
                table: "explorer_exports",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_explorer_exports_requested_by_created_at",
                schema: "portal",
                table: "explorer_exports",
                columns: new[] { "requested_by", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_explorer_saved_views_owner_id_service_table_name_name",
                schema: "portal",
                table: "explorer_saved_views",
                columns: new[] { "owner_id", "service", "table_name", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_explorer_saved_views_service_table_name_shared_with_role",
                schema: "portal",
                table: "explorer_saved_views",
                columns: new[] { "service", "table_name", "shared_with_role" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "explorer_export_chunks",
                schema: "portal");

            migrationBuilder.DropTable(
                name: "explorer_saved_views",
                schema: "portal");

            migrationBuilder.DropTable(
                name: "explorer_exports",
                schema: "portal");
        }
    }
}
