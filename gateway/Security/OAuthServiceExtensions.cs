using Mcp.Cluster.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mcp.Cluster.Gateway.Security;

public static class OAuthServiceExtensions
{
    /// <summary>
    /// <see cref="OAuthOptions"/> (checked at start) and, when an authority is configured, the JwtBearer scheme
    /// <see cref="OAuthDefaults.Scheme"/> that the ApiKey scheme asks about bearer values that are not keys.
    /// </summary>
    public static IServiceCollection AddOAuthSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMcpOptions<OAuthOptions>(configuration, OAuthOptions.Section);
        services.AddSingleton<IValidateOptions<OAuthOptions>, OAuthOptionsValidator>();
        services.AddSingleton<OAuthChallenges>();
        services.AddSingleton<OAuthSubjectKeys>();
        services.AddSingleton<OAuthAccessTokens>();
        if (configuration.GetSection(OAuthOptions.Section).Get<OAuthOptions>() is not { Enabled: true })
        {
            return services;
        }
        services.AddAuthentication().AddJwtBearer(OAuthDefaults.Scheme, _ => { });
        services.AddOptions<JwtBearerOptions>(OAuthDefaults.Scheme).Configure<IOptions<OAuthOptions>>((jwt, oauth) =>
        {
            var settings = oauth.Value;
            if (settings.Problem() is not null)
            {
                return; // The start stops on the validation above.
            }
            var authority = new Uri(settings.Authority!.Trim());
            jwt.Authority = settings.Authority!.Trim();
            // The discovery document and JWKS are read from the configured authority only; plain http only on loopback.
            jwt.RequireHttpsMetadata = !OAuthOptions.IsLoopback(authority);
            jwt.MapInboundClaims = false;
            jwt.SaveToken = false;
            jwt.BackchannelTimeout = TimeSpan.FromSeconds(10);
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.EffectiveIssuer,
                ValidAudience = settings.EffectiveAudience,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                ValidateIssuerSigningKey = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidAlgorithms = OAuthDefaults.Algorithms,
                ClockSkew = settings.ClockSkew,
                NameClaimType = settings.OwnerClaim,
            };
        });
        return services;
    }
}
