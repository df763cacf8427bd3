using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Oteleport.Hosting.AspNetCore.Security;

/// <summary>The access key check for Oteleport's gRPC services (only those: an app's own services are left alone).</summary>
internal sealed class AccessKeyInterceptor(AccessKeyValidator validator) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var presented = context.RequestHeaders.GetValue(validator.HeaderName.ToLowerInvariant());
        return validator.Check(presented) switch
        {
            AccessKeyResult.Missing => throw new RpcException(new Status(StatusCode.Unauthenticated, $"no access key: send it in the {validator.HeaderName} header")),
            AccessKeyResult.Wrong => throw new RpcException(new Status(StatusCode.PermissionDenied, "access key rejected")),
            _ => continuation(request, context),
        };
    }
}
