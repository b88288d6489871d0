// test_crypto_keys.hpp - keys made for the common/crypto tests with the openssl
// command line, and what openssl itself computed from them; they protect
// nothing and are used nowhere else.
//
//   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem
//   openssl rsa -in rsa.pem -traditional -out rsa_pkcs1.pem
//   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem
//   openssl ecparam -name prime256v1 -genkey -noout -out ec_sec1.pem
//   openssl pkcs8 -topk8 -nocrypt -in ec_sec1.pem -out ec_p8.pem
//   openssl pkcs8 -topk8 -in ec_sec1.pem -passout pass:secret -out ec_enc.pem
//   openssl ec -in ec_sec1.pem -aes128 -passout pass:secret -out ec_legacy_enc.pem
//   openssl ecparam -name secp384r1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt
#pragma once

namespace crypto_test_keys {

// PKCS#8, as a Google service account's private_key is.
inline constexpr const char* kRsaPkcs8Pem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDwxNxcqMXrR/at
RS0ImUKmDErId08x5UFEZJ5mBFfYKcNznVIfraovQHas3spxJ7BjDTDn4JfIoUK+
HGvIYXApTyyN+taR+qCruVgjCQByGlROnoYWgissuw9Qu5YM316AOij4Ji85qEJB
1wJN+AyvLBCZsqtb3dJnsuHUhMy+yGGP6BKzOjRcJ5tM0MmG3w3IhydUzu9Dfqhg
QlIBvVWLJWBFnNWhD+Cthflb9DKnhQjmKNDOY+zWyKZNeCiTG/HSBNlQt9xNZV8h
7Zy7zlVkA022Heh7qzH806xKlMCrHGMthJvHFcNPPK0NxIqNtOnIy2liDym6+3UV
411K2ggJAgMBAAECggEADtvPT6aYxErmJc5Rl6jBrLawfMukJwujagGdpuUYuL3n
EoEAevUAPjdHu6ZqLu6Im6xKOt0o8NhG4q2lVzHwNpRsxvxWdp7VgJOJJWxeSyxl
zI5K7yOsX2/R46UX/wZf8iDku1+75V6FbEPFICOxQLRC+AFHQv2fCQhImJFzg0iC
2RG9dPqaIT23cmJXQ5xQOltsxuCJP2Kl8yRWXUxBhzP5iksqJIvYLT+nS3GM3UyK
fp62DpM0rFrp73nOznZU1PPRP3Viw44mBXYecOfrkWwpXA5cYztpzo3BcHOQp5EC
a4PaE1TgovmqArJdyACFaIfWM8lDs4qGDQnyDC6lAQKBgQD/Wzw+muv/uFg5tK+a
OlHcvsUTAi2JmS2DL02m0j+KjTbLOtKeZro1oqk3hl1CnVYT2FTlltzQRPXuoqjV
iR+QIiuu2OdWDgvoTbyO0h2Mcvd0v8FLIFdUKw9dgt+zdLIqIyE7fLNRRWWJ9Nw5
pxE3SxupOJIHN/HYC7+jEL69QQKBgQDxYDaSQN/XqxEybrdIDP9jMHQvdSN2USvf
3Spf8ymvDKXnNv00Xb/dSx5MGRKhPvpnMqcoT5hgKmyCB+8tC16hN8xeEX0F6zwf
KD1XBJmey+ijHY9BQWOPtuTPgr8DlVEQRslvV+a0QVTwP3ZiiYMbBVBhdrY6e00c
1HcE8ItwyQKBgH5CCiOaTh3+dAD0Se8j7t4KpT6k0Qc76bj3ZpmZUzmaYQFTcFhJ
ysBCURDXKr2JNcpSKIfsc/m2XzNC0d/jEOwfOSIWtStjfpe5+AVV9q4/GgNr3JLc
xtEjCVHfJ+R/Sqhy/jd/jNoeSfpQS6Nl66k/RcoB4pIXI0kDZhmmaekBAoGBAOfQ
jHiH37LEM17pIBMNkJTVazBM4sL2EBoO0WyXHzhkAE1/7UvGocbJJw7UoaTE1D4a
UpmPX/szo0R6lEUBf198NEU/rH/rvLD7t3WEEHmGwiUt9XApeZIDh9qXahXp6JGm
Oj06AXKqsAWQHYVjJcvknZ8NINQnqRaAItJWpsSpAoGAY/usM1d6ZR0Nf9ds8wwp
bHioY5K+N5SHh25CpbXWaMq+IPNvFhBseoPIOah8O4cEOwEodxGnE6Duswl5xvqW
bHunL3oWueDnsPwY7/e3ZP3FWBN+gzPf9qcBC3GV/17QfDUyIOx03nTyrKNjgWb7
XYVzKB1PELJpzx1NXKqFFno=
-----END PRIVATE KEY-----)";

// The same key as PKCS#1.
inline constexpr const char* kRsaPkcs1Pem = R"(-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA8MTcXKjF60f2rUUtCJlCpgxKyHdPMeVBRGSeZgRX2CnDc51S
H62qL0B2rN7KcSewYw0w5+CXyKFCvhxryGFwKU8sjfrWkfqgq7lYIwkAchpUTp6G
FoIrLLsPULuWDN9egDoo+CYvOahCQdcCTfgMrywQmbKrW93SZ7Lh1ITMvshhj+gS
szo0XCebTNDJht8NyIcnVM7vQ36oYEJSAb1ViyVgRZzVoQ/grYX5W/Qyp4UI5ijQ
zmPs1simTXgokxvx0gTZULfcTWVfIe2cu85VZANNth3oe6sx/NOsSpTAqxxjLYSb
xxXDTzytDcSKjbTpyMtpYg8puvt1FeNdStoICQIDAQABAoIBAA7bz0+mmMRK5iXO
UZeoway2sHzLpCcLo2oBnablGLi95xKBAHr1AD43R7umai7uiJusSjrdKPDYRuKt
pVcx8DaUbMb8Vnae1YCTiSVsXkssZcyOSu8jrF9v0eOlF/8GX/Ig5Ltfu+VehWxD
xSAjsUC0QvgBR0L9nwkISJiRc4NIgtkRvXT6miE9t3JiV0OcUDpbbMbgiT9ipfMk
Vl1MQYcz+YpLKiSL2C0/p0txjN1Min6etg6TNKxa6e95zs52VNTz0T91YsOOJgV2
HnDn65FsKVwOXGM7ac6NwXBzkKeRAmuD2hNU4KL5qgKyXcgAhWiH1jPJQ7OKhg0J
8gwupQECgYEA/1s8Pprr/7hYObSvmjpR3L7FEwItiZktgy9NptI/io02yzrSnma6
NaKpN4ZdQp1WE9hU5Zbc0ET17qKo1YkfkCIrrtjnVg4L6E28jtIdjHL3dL/BSyBX
VCsPXYLfs3SyKiMhO3yzUUVlifTcOacRN0sbqTiSBzfx2Au/oxC+vUECgYEA8WA2
kkDf16sRMm63SAz/YzB0L3UjdlEr390qX/Mprwyl5zb9NF2/3UseTBkSoT76ZzKn
KE+YYCpsggfvLQteoTfMXhF9Bes8Hyg9VwSZnsvoox2PQUFjj7bkz4K/A5VREEbJ
b1fmtEFU8D92YomDGwVQYXa2OntNHNR3BPCLcMkCgYB+Qgojmk4d/nQA9EnvI+7e
CqU+pNEHO+m492aZmVM5mmEBU3BYScrAQlEQ1yq9iTXKUiiH7HP5tl8zQtHf4xDs
HzkiFrUrY36XufgFVfauPxoDa9yS3MbRIwlR3yfkf0qocv43f4zaHkn6UEujZeup
P0XKAeKSFyNJA2YZpmnpAQKBgQDn0Ix4h9+yxDNe6SATDZCU1WswTOLC9hAaDtFs
lx84ZABNf+1LxqHGyScO1KGkxNQ+GlKZj1/7M6NEepRFAX9ffDRFP6x/67yw+7d1
hBB5hsIlLfVwKXmSA4fal2oV6eiRpjo9OgFyqrAFkB2FYyXL5J2fDSDUJ6kWgCLS
VqbEqQKBgGP7rDNXemUdDX/XbPMMKWx4qGOSvjeUh4duQqW11mjKviDzbxYQbHqD
yDmofDuHBDsBKHcRpxOg7rMJecb6lmx7py96Frng57D8GO/3t2T9xVgTfoMz3/an
AQtxlf9e0Hw1MiDsdN508qyjY4Fm+12FcygdTxCyac8dTVyqhRZ6
-----END RSA PRIVATE KEY-----)";

// Too small for RS256 (RFC 7518 §3.3).
inline constexpr const char* kRsa1024Pem = R"(-----BEGIN PRIVATE KEY-----
MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBANgNelbS27cySlh9
RBYD8pBWKveafKnAFLVnVCLkz7cvcA1UsxXEgBf1ZJCT5rDVXhmpmL6fqGYr/GCl
hqfh5J3N+qgmUmCIpIKqGlB3an+vtaz/15EMgH1+0LR/rO4n3hvpTD2RptQ2Q9dO
+JVN+IQRu6LPMp0VL+hTyVC06QQ7AgMBAAECgYAeiyE9fwfCyWBLTEJA3oP/Nb9T
S8rN8LK8xoPVfwWCfzlXGR9MN4BoYq+55L7bRv7Ln/dRE58p+pPuUdhMiZnZFsM5
gMsi42sXiLXLku8B6tK2CUp9UTS6RK/jsf/rYg99HCn8HthiWfQSwyWg71R4ZmqB
Syx4rSabCVOlJhDwkQJBAPW69R8V0Orcng8P+u0VeezhughKQlfoNKfgvCQ+nala
ZCGxr+9JeFA/WOKxn1y9uCePUSMLItRcOavXBJL/gUkCQQDhFQCWbgBc0jpuvS5P
4HO1fhOEH5GGekq8E2j0vNSuSrXwIrXXgzU0ueX6NMb/pEx06Qu/ZEwXrT4W+eH7
jt1jAkBtipVA8Tm7qPNw5X/Hdn5uwcVrcqcWhvYKLF3SjnM8DoZ6mrpCIm9W3pZi
ICpZbl2MjQ/vXkR9hEtVNjncybe5AkEAnO+m5Dw4ln+ibFoNs3X9V5tbgjD8p7YW
68Hg2VvcMtY2uwOIpIaAj43akzU/Vzm4cX+YSE9nWs7ZTu3WKi73nwJBAN3b5sIR
iTLYvoMZruCv95eOsNEWnkOsq8OIjpI0gzg9TNPJICCNmLOvAvWCxo3cTqEULTfq
9/cc97EtxtUgL40=
-----END PRIVATE KEY-----)";

// A P-256 key as SEC1 (openssl ecparam -genkey).
inline constexpr const char* kEcSec1Pem = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIA/E1VaPGNZE3QEsSUXAm41k3aCzhkBXkmWZ5leEXhVYoAoGCCqGSM49
AwEHoUQDQgAE8w2/PjQFnDoS9W4dFVcJazKEVn7UkwbqUYuuzkDOF9fb4jbF684n
sHCqcdE/9sEO2GKp2HQ6OWzOZqxfRUCUew==
-----END EC PRIVATE KEY-----)";

// The same key as PKCS#8, the form of Apple's .p8 files.
inline constexpr const char* kEcPkcs8Pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgD8TVVo8Y1kTdASxJ
RcCbjWTdoLOGQFeSZZnmV4ReFVihRANCAATzDb8+NAWcOhL1bh0VVwlrMoRWftST
BupRi67OQM4X19viNsXrziewcKpx0T/2wQ7YYqnYdDo5bM5mrF9FQJR7
-----END PRIVATE KEY-----)";

// The same key encrypted with the passphrase "secret".
inline constexpr const char* kEcEncryptedPem = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAi3emyb12wK6QICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEKfivdDV8avGOPmb+WCGWXUEgZA/
oZDwgW4fqMi0hq5zXcWBCUfHMASI8zfDEen15KXMRG8A/ERoTmHMulpRZ9xE72MN
ujtlWZAIjFOCSF4ZjPe0eHQyD/T8eCgjYsldimirv2Mr1qlNTEuSiQrAkkqFB6jC
gmyt+qobqr02wb6eGl6m9DTPHki8kPpifb2pAM9mRwnp9MLu0mmXzFiZEqsCwa0=
-----END ENCRYPTED PRIVATE KEY-----)";

// The same key in the older encrypted form (openssl ec -aes128).
inline constexpr const char* kEcLegacyEncryptedPem = R"(-----BEGIN EC PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-128-CBC,A8D60F19EC31878412EC2F99C5FADA9B

IZDqmOOrl0j4XjQVk1L7xP21vRtk57jKNclFKzc6AXBAvpqkfzDk+qWzYVAAcqCC
85aFQz///uO6JBjj/LUDAbaATnGFCRkdVSMrubFlmgAPnq2R8bTzeb4RFWqNxPBY
W6/rJrpdiOwGQt0icS00o9o0wPsst7BaD4MhPElvbL0=
-----END EC PRIVATE KEY-----)";

// A P-384 key.
inline constexpr const char* kEc384Pem = R"(-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDLutn3up//dC7gTOcR
bHRy4rA/y387em4ckNgYkD0sN2y7miQ1/tVl/56dvqCyxBChZANiAASRTpGgOKjw
RlAaftoiJehS4u/jtiJgEQHS68xVCfvX2EwWSHd7O6UZugTd74btHxyJEXZ3zwK8
uaM+BMMChIv32e4vQaeFiphBmGxJJZsfc6wAYZJoDVpj9CAv1aKvWmQ=
-----END PRIVATE KEY-----)";

// The P-256 key's private scalar and public point (openssl ec -text; -pubout
// -conv_form uncompressed), base64url.
inline constexpr const char* kEcScalar = "D8TVVo8Y1kTdASxJRcCbjWTdoLOGQFeSZZnmV4ReFVg";
inline constexpr const char* kEcPublic =
    "BPMNvz40BZw6EvVuHRVXCWsyhFZ-1JMG6lGLrs5AzhfX2-I2xevOJ7BwqnHRP_bBDthiqdh0OjlszmasX0VAlHs";

// An FCM service-account grant signed by the RSA key with
// `openssl dgst -sha256 -sign rsa.pem` over the first two parts.
inline constexpr const char* kRs256Header = R"({"alg":"RS256","typ":"JWT","kid":"test-key-1"})";
inline constexpr const char* kRs256Claims =
    R"({"iss":"notify-test@example.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/firebase.messaging","aud":"https://oauth2.googleapis.com/token","iat":1700000000,"exp":1700003600})";
inline constexpr const char* kRs256Jwt =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InRlc3Qta2V5LTEifQ."
    "eyJpc3MiOiJub3RpZnktdGVzdEBleGFtcGxlLmlhbS5nc2VydmljZWFjY291bnQuY29tIiwic2NvcGUiOiJodHRwczovL3"
    "d3dy5nb29nbGVhcGlzLmNvbS9hdXRoL2ZpcmViYXNlLm1lc3NhZ2luZyIsImF1ZCI6Imh0dHBzOi8vb2F1dGgyLmdvb2ds"
    "ZWFwaXMuY29tL3Rva2VuIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDB9.1q-5_Rv-"
    "jM6bmIKlIIuHppxmND1QMj34PhBYKFljIu_XlYLaCfZ_vk2Hr4vcK1UAt8p-qcjxNVgLN_6etOhZ-h-PV27_"
    "IAlf44A8HOkvelr8pnhhZcRElq4u_DNaGQVcYYAsY2_Q4eGAz6lW9JOcrdsoAtzLbLJlW609_"
    "xEQQfLnp21dbCjpTqd6Quut4WLkI46SsFt-AGmRAEUOijxjpdIr4Hx4Bm2acqOI7J4IG3uCq-ZzO7_"
    "aWkmIUEX4FjuBiEIYq3Piqmobcdcq0tcKY_EAk0NPQNy1s17bGibX-c0hZlWb7Cb0abniZnMWug-"
    "QGDbPskLNXxVhcmOtdJlWAQ";

}  // namespace crypto_test_keys
