using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Oteleport.Storage.S3;

/// <summary>What a failed S3 call was doing, for messages and the permission hint.</summary>
internal enum S3Operation
{
    Check,
    List,
    Get,
    Put,
}

/// <summary>
/// Turns what the AWS SDK and the HTTP stack throw into <see cref="StorageUnavailableException"/> with a
/// message that names the bucket and says what to fix. Callers never see a raw SDK exception.
/// </summary>
internal static class S3ErrorMapper
{
    /// <summary>
    /// Maps <paramref name="exception"/>, or returns null when it is not a storage failure (the caller's
    /// own cancellation, an argument error) and must propagate unchanged.
    /// </summary>
    public static StorageUnavailableException? Map(
        Exception exception, S3Operation operation, S3Location location, string? key, string endpoint,
        CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (exception is StorageUnavailableException or ArgumentException)
        {
            return null;
        }

        var where = key is null ? location.ToString() : $"s3://{location.Bucket}/{location.KeyPrefix}{key}";
        var what = operation switch
        {
            S3Operation.Check => $"checking {where}",
            S3Operation.List => $"listing {where}",
            S3Operation.Get => $"reading {where}",
            _ => $"writing {where}",
        };

        var message = exception switch
        {
            // An SDK exception without an HTTP status wraps a transport failure: report it as one.
            AmazonServiceException service when service.StatusCode != 0 || !IsTransport(service) =>
                Describe(service, operation, location, where, what),
            OperationCanceledException or TimeoutException =>
                $"the S3 endpoint {endpoint} did not answer in time while {what}",
            _ when IsTransport(exception) =>
                $"cannot reach the S3 endpoint {endpoint} while {what}: {Innermost(exception).Message}",
            AmazonClientException client => $"the AWS SDK failed while {what}: {client.Message}",
            IOException io => $"the connection to the S3 endpoint {endpoint} failed while {what}: {io.Message}",
            _ => null,
        };

        return message is null ? null : new StorageUnavailableException(message, exception);
    }

    private static string Describe(
        AmazonServiceException ex, S3Operation operation, S3Location location, string where, string what)
    {
        var code = ex.ErrorCode ?? "";
        switch (code)
        {
            case "NoSuchBucket":
                return $"S3 bucket '{location.Bucket}' does not exist";
            case "AccessDenied" or "AllAccessDisabled" or "AccountProblem":
                var permission = operation switch
                {
                    S3Operation.Get => "s3:GetObject",
                    S3Operation.Put => "s3:PutObject",
                    _ => "s3:ListBucket",
                };
                return $"access denied to {(operation is S3Operation.Check or S3Operation.List ? location.ToString() : where)}: " +
                       $"check credentials and the {permission} permission";
            case "InvalidAccessKeyId":
                return $"the AWS access key id is not known to the S3 service ({location}): check credentials";
            case "SignatureDoesNotMatch":
                return $"the S3 service rejected the request signature ({location}): check the secret access key";
            case "ExpiredToken" or "TokenRefreshRequired" or "InvalidToken":
                return $"the AWS session token was rejected ({location}): {ex.Message}";
            case "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException":
                return $"S3 bucket '{location.Bucket}' is in another region than the one configured: {ex.Message}";
            case "InvalidBucketName":
                return $"'{location.Bucket}' is not a valid S3 bucket name";
        }

        if (ex.StatusCode == HttpStatusCode.NotFound && code.Length == 0 && operation is S3Operation.Check or S3Operation.List)
        {
            // A HEAD-like answer without a body: the bucket itself is missing.
            return $"S3 bucket '{location.Bucket}' does not exist";
        }

        var status = (int)ex.StatusCode;
        var label = code.Length > 0 ? code : status > 0 ? $"HTTP {status}" : "an error";
        if (status >= 500 || ex.ErrorType == ErrorType.Receiver || IsThrottling(code) || status == 429)
        {
            return $"the S3 service is unavailable or throttling ({label}) while {what}: {ex.Message}";
        }

        return $"the S3 service refused {what} ({label}): {ex.Message}";
    }

    private static bool IsThrottling(string code) => code is
        "SlowDown" or "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or
        "TooManyRequestsException" or "ServiceUnavailable" or "RequestThrottled" or "RequestTimeout" or
        "InternalError";

    private static bool IsTransport(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or WebException)
            {
                return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
