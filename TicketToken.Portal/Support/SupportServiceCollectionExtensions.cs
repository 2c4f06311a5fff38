namespace TicketToken.Portal.Support;

public static class SupportServiceCollectionExtensions
{
    /// <summary>The support order page's services: the story loader and the actions.</summary>
    public static IServiceCollection AddSupportOrders(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SupportOptions>(configuration.GetSection(SupportOptions.Section));
        services.AddScoped<OrderStory>();
        services.AddScoped<OrderActions>();
        return services;
    }
}
