// The identity provider's access token rides in next-auth's encrypted JWT (never in the session).
import 'next-auth/jwt';

declare module 'next-auth/jwt' {
  interface JWT {
    accessToken?: string;
    accessTokenExpires?: number;
  }
}
