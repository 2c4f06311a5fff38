namespace TicketToken.Portal.Support;

public static class SupportServiceCollectionExtensions
{
    /// <summary>The support workspace's services: search, the order story and its actions, customer accounts.</summary>
    public static IServiceCollection AddSupport(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SupportOptions>(configuration.GetSection(SupportOptions.Section));
        services.AddScoped<OrderStory>();
        services.AddScoped<OrderActions>();
        services.AddScoped<ISupportSearch, SupportSearch>();
        services.AddScoped<CustomerAccounts>();
        return services;
    }
}
