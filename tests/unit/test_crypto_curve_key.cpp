// CURVE key pairs for the router's link to its workers: X25519 keys made
// with OpenSSL that libzmq reads.
#include <catch2/catch.hpp>

#include "crypto/curve_key.hpp"
#include "util/z85.hpp"

using namespace notify;

TEST_CASE("CURVE key pairs are X25519 keys as libzmq reads them", "[curve]") {
    // The client's pair in libzmq's zmq_curve(7).
    auto pub = crypto::curve_public_key("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs");
    REQUIRE(pub);
    CHECK(*pub == "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    // The server's.
    CHECK(crypto::curve_public_key("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6").value_or("") ==
          "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");

    auto a = crypto::generate_curve_keys();
    auto b = crypto::generate_curve_keys();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(util::is_z85_key(a->public_key));
    CHECK(util::is_z85_key(a->secret_key));
    CHECK(a->secret_key != b->secret_key);
    CHECK(a->public_key != b->public_key);
    CHECK(crypto::curve_public_key(a->secret_key).value_or("") == a->public_key);

    auto bad = crypto::curve_public_key("not a key");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == "invalid_key");
}
