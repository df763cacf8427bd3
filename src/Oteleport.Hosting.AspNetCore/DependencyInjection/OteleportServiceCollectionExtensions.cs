using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Oteleport;
using Oteleport.Hosting.AspNetCore;
using Oteleport.Hosting.AspNetCore.Api;
using Oteleport.Hosting.AspNetCore.Otlp;
using Oteleport.Hosting.AspNetCore.Security;
using Oteleport.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Oteleport to an ASP.NET Core app.</summary>
public static class OteleportServiceCollectionExtensions
{
    /// <summary>
    /// Adds the OTLP receivers, the fetch API and the store. Options bind from the <c>Oteleport</c>
    /// configuration section, then <paramref name="configure"/> runs. Storage defaults to the folder of
    /// <c>storage.location</c> (<c>./oteleport-data</c>); choose another with <c>.UseS3Storage()</c> or
    /// <c>.UseFileSystemStorage(path)</c>. Then call <c>app.MapOteleport()</c>.
    /// </summary>
    public static IOteleportBuilder AddOteleport(this IServiceCollection services, Action<OteleportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // The section is checked before it is bound: the binder would skip unknown keys silently.
        services.AddOptions<OteleportOptions>()
            .Configure<IConfiguration>((_, configuration) => configuration.ValidateOteleportSection())
            .BindConfiguration(OteleportOptions.SectionName);
        var builder = services.AddOteleportCore(configure);
        services.TryAddSingleton<AccessKeyValidator>();
        services.TryAddSingleton<AccessKeyInterceptor>();
        // The services' methods, bound with marshallers that answer INVALID_ARGUMENT to undecodable messages.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<TraceReceiver>, OteleportGrpcMethods>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<MetricsReceiver>, OteleportGrpcMethods>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<LogsReceiver>, OteleportGrpcMethods>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<FetchGrpcService>, OteleportGrpcMethods>());
        services.AddGrpc()
            .AddServiceOptions<TraceReceiver>(UseAccessKeys)
            .AddServiceOptions<MetricsReceiver>(UseAccessKeys)
            .AddServiceOptions<LogsReceiver>(UseAccessKeys)
            .AddServiceOptions<FetchGrpcService>(UseAccessKeys);
        // gRPC messages obey the same size limit as HTTP bodies, as sent and once decompressed.
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<OteleportOptions>>((grpc, oteleport) =>
        {
            var limit = oteleport.Value.Limits.MaxRequestBytes;
            grpc.MaxReceiveMessageSize = (int)Math.Min(limit, int.MaxValue);
            var gzip = grpc.CompressionProviders.Where(p => p.EncodingName == "gzip").ToList();
            foreach (var provider in gzip)
            {
                grpc.CompressionProviders.Remove(provider);
            }
            grpc.CompressionProviders.Add(new LimitedGzipCompressionProvider(limit));
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, OteleportStartup>());
        return builder;
    }

    private static void UseAccessKeys<T>(GrpcServiceOptions<T> options) where T : class =>
        options.Interceptors.Add<AccessKeyInterceptor>();
}
